package com.profilegrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.demo.DemoData;
import com.profilegrid.node.http.NodeHttp;
import com.profilegrid.node.http.Readiness;
import com.profilegrid.node.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.ForkJoinPool;

/**
 * One running ProfileGrid member: database, Hazelcast member, HTTP server. {@link #close()} is the
 * graceful shutdown: the node reports not ready, flushes write-behind, hands its partitions to the
 * other members, then stops.
 */
public final class GridNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GridNode.class);
    static final int MIN_COMMON_POOL_PARALLELISM = 2;

    private final Database database;
    private final HazelcastInstance member;
    private final Readiness readiness;
    private final NodeHttp http;
    private final DemoData demo;

    private GridNode(Database database, HazelcastInstance member, Readiness readiness, NodeHttp http, DemoData demo) {
        this.database = database;
        this.member = member;
        this.readiness = readiness;
        this.http = http;
        this.demo = demo;
    }

    public static GridNode start(NodeSettings settings) {
        warnIfCommonPoolTooSmall();
        createDataDir(settings);
        Config config = MemberConfig.load(settings);
        Database database = Database.open(MemberConfig.databaseSettings(config));
        HazelcastInstance member = null;
        Readiness readiness = null;
        try {
            member = Hazelcast.newHazelcastInstance(MemberConfig.withProfileStore(config, database));
            readiness = new Readiness(member, database);
            NodeHttp http = NodeHttp.start(settings.httpHost(), settings.httpPort(), readiness);
            DemoData demo = settings.demo() ? DemoData.start(member.getMap(MemberConfig.PROFILES_MAP), database) : null;
            LOG.info("ProfileGrid node up: member {} in cluster '{}', HTTP http://{}:{}/ready, database {}",
                    member.getCluster().getLocalMember().getAddress(), settings.clusterName(),
                    settings.httpHost(), http.port(), database.dialect());
            return new GridNode(database, member, readiness, http, demo);
        } catch (RuntimeException e) {
            if (readiness != null) {
                readiness.close();
            }
            if (member != null) {
                member.getLifecycleService().terminate();
            }
            database.close();
            throw e;
        }
    }

    public HazelcastInstance member() {
        return member;
    }

    public IMap<ProfileKey, Profile> profiles() {
        return member.getMap(MemberConfig.PROFILES_MAP);
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        LOG.info("ProfileGrid node stopping");
        readiness.markStopping();
        if (demo != null) {
            demo.close();
        }
        try {
            if (member.getLifecycleService().isRunning()) {
                profiles().flush();
                member.shutdown();
            }
        } finally {
            readiness.close();
            http.close();
            database.close();
        }
        LOG.info("ProfileGrid node stopped");
    }

    static void warnIfCommonPoolTooSmall() {
        int parallelism = ForkJoinPool.getCommonPoolParallelism();
        if (parallelism < MIN_COMMON_POOL_PARALLELISM) {
            LOG.warn("The JDK common pool has parallelism {}; Hazelcast's async paths slow down badly below {}. "
                            + "Start the JVM with -Djava.util.concurrent.ForkJoinPool.common.parallelism={} or more "
                            + "(bin/profilegrid does).", parallelism, MIN_COMMON_POOL_PARALLELISM,
                    MIN_COMMON_POOL_PARALLELISM);
        }
    }

    private static void createDataDir(NodeSettings settings) {
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
        }
    }
}
