package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.RawIdEntry;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The state maps run their loads on the partition threads (they do not offload them), so a reader's load of a profile
 * that only the database holds must not make them query the database there: the readers' loader reads the row ahead
 * off the partition threads, and the state map's load is answered from that. Reads of cold profiles and ids answer
 * right, and the stores asked the database for nothing on a partition thread. A read-ahead asks only for the rows of
 * entries that are not in memory.
 */
class ColdReadsTest {

    private static final int VISITORS = 600;

    @TempDir
    Path dir;

    @Test
    void when_readers_load_profiles_only_the_database_holds_then_no_partition_thread_queries_it() throws Exception {
        var db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 1)) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            Instant at = Instant.now().minusSeconds(60);
            for (int start = 0; start < VISITORS; start += 200) {
                List<String> batch = new ArrayList<>();
                for (int v = start; v < start + 200; v++) {
                    batch.add("{\"type\":\"identify\",\"userId\":\"u" + v + "\",\"anonymousId\":\"a" + v
                            + "\",\"messageId\":\"i" + v + "\",\"timestamp\":\"" + at + "\",\"traits\":{\"n\":" + v + "}}");
                }
                node.postLogged("/v1/batch", project.writeKey(), "{\"batch\":[" + String.join(",", batch) + "]}");
            }
            HazelcastInstance member = node.node().member();
            Generation generation = Generation.active(member);
            IMap<ProfileKey, ProfileState> states = member.getMap(StatePipeline.Maps.statesMap(generation));
            IMap<String, RawIdEntry> rawIds = member.getMap(StatePipeline.Maps.rawIdsMap(generation));
            await().atMost(Duration.ofSeconds(120)).until(() -> states.size() == VISITORS);
            StatePipeline.Maps.flushState(member, generation);

            // a read-ahead of entries held in memory asks the database for none of them
            List<ProfileKey> keys = new ArrayList<>();
            for (int v = 0; v < VISITORS; v++) {
                keys.add(new ProfileKey(project.projectId(), "user:u" + v));
            }
            StorePrefetch prefetch = StorePrefetch.of(member);
            long askedBefore = prefetch.rowsAskedAhead();
            prefetch.readAhead(states.getName(), keys).run();
            assertThat(prefetch.rowsAskedAhead() - askedBefore).as("rows read ahead of profiles in memory").isZero();

            // every profile and id leaves memory: only the database holds them
            IMap<ProfileKey, Profile> profiles = member.getMap(generation.profilesMap());
            IMap<String, String> ids = member.getMap(generation.idsMap());
            states.evictAll();
            rawIds.evictAll();
            profiles.evictAll();
            ids.evictAll();
            assertThat(states.size()).isZero();
            askedBefore = prefetch.rowsAskedAhead();
            prefetch.readAhead(states.getName(), keys).run();
            assertThat(prefetch.rowsAskedAhead() - askedBefore).as("rows read ahead of profiles not in memory")
                    .isEqualTo(VISITORS);
            long before = prefetch.partitionThreadLoads();

            for (int v = 0; v < VISITORS; v++) {
                Profile profile = profiles.get(new ProfileKey(project.projectId(), "user:u" + v));
                assertThat(profile).as("visitor %d", v).isNotNull();
                assertThat(profile.properties().get("n").json()).as("visitor %d", v).isEqualTo(String.valueOf(v));
                String anonymous = com.profilegrid.model.GridMaps.projectKey(project.projectId(), "anon:a" + v);
                assertThat(ids.get(anonymous)).as("visitor %d", v).isEqualTo("user:u" + v);
            }
            // a profile read again is in memory now: no query at all
            assertThat(profiles.get(new ProfileKey(project.projectId(), "user:u0"))).isNotNull();

            assertThat(prefetch.partitionThreadLoads() - before)
                    .as("keys the state maps' stores asked the database for on a partition thread").isZero();
            assertThat(states.size()).as("the cold profiles were loaded into the state map").isEqualTo(VISITORS);
        } finally {
            TestDatabases.drop(db);
        }
    }
}
