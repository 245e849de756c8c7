package com.profilegrid.node;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.test.HazelcastTestSupport;
import com.profilegrid.node.store.ActiveGenerations;
import com.profilegrid.node.store.Database;

import java.nio.file.Path;

/** Member configs for in-JVM clusters: the packaged member YAML, a cluster name of their own. */
public final class TestClusters {

    private TestClusters() {
    }

    public static NodeSettings settings(String clusterName, Database.Settings db) {
        return new NodeSettings(null, clusterName, "127.0.0.1", 5701, null, "127.0.0.1", 0,
                Path.of("target"), db == null ? "jdbc:h2:mem:unused" : db.url(), db == null ? "" : db.user(),
                db == null ? "" : db.password(), db == null ? null : db.schema(), 4, 30, 1, false, IngestSettings.DEFAULTS, "test-admin-token");
    }

    /** The packaged member YAML, each instance with a generated name (names are unique per JVM). */
    public static Config load(NodeSettings settings) {
        return MemberConfig.load(settings).setInstanceName(null);
    }

    /** A member config without persistence: what the grid alone keeps. */
    public static Config withoutStore(String clusterName) {
        Config config = load(settings(clusterName, null));
        config.getMapConfig(MemberConfig.PROFILES_MAP).getMapStoreConfig().setEnabled(false);
        return config;
    }

    /**
     * A member config whose profiles map persists to {@code database}; one per member. Start the member with
     * {@link #startWithStore}, which has it follow the generations in use as a node does.
     */
    public static Config withStore(String clusterName, Database database, Database.Settings db) {
        return MemberConfig.withProfileStore(load(settings(clusterName, db)), database);
    }

    /** A member of {@code factory} from a {@link #withStore} config, following the generations in use as a node does. */
    public static HazelcastInstance startWithStore(TestHazelcastFactory factory, Config config) {
        ActiveGenerations generations = new ActiveGenerations();
        config.getUserContext().put(ActiveGenerations.USER_CONTEXT_KEY, generations);
        HazelcastInstance member = factory.newHazelcastInstance(config);
        generations.watch(member);
        return member;
    }

    public static String uniqueClusterName() {
        return "pg-test-" + HazelcastTestSupport.randomName();
    }
}
