package com.profilegrid.node.ingest;

import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeSettings;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.rebuild.EventCount;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.ProfileMapStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A node stops even while its database is unreachable (Hazelcast would otherwise retry the write-behind for ever),
 * and the profile rows it could not store come back when it starts again on the restored database.
 */
class StopWithDatabaseDownTest {

    private static final int BATCHES = 10;
    private static final int PER_BATCH = 20;
    private static final int SPOOLED_BATCHES = 3;
    private static final int LEAVING_PROFILES = 100;

    @TempDir
    Path dir;

    @Test
    void when_the_database_is_down_then_the_node_still_stops_and_its_profile_rows_come_back_on_restart() throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            NodeSettings settings = settings(database, TestClusters.uniqueClusterName(), "node", NodeFixture.freePort(), null);
            String project;
            NodeFixture node = NodeFixture.start(settings);
            try {
                ProjectStore.Created created = node.createProject("acme");
                project = created.projectId();
                for (int b = 0; b < BATCHES; b++) {
                    assertThat(node.post("/v1/batch", created.writeKey(),
                            TrackingApiContract.batchOfTracks("before-" + b + "-", PER_BATCH)).statusCode()).isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        EventCount.folded(node.node().member(), project) == BATCHES * PER_BATCH);
                database.stop();
                for (int b = 0; b < SPOOLED_BATCHES; b++) {
                    assertThat(node.post("/v1/batch", created.writeKey(),
                            TrackingApiContract.batchOfTracks("down-" + b + "-", PER_BATCH)).statusCode())
                            .as("acknowledged from the spool").isEqualTo(202);
                }
            } finally {
                assertTimeoutPreemptively(Duration.ofMinutes(2), node::close, "the node stops with its database down");
            }

            database.start();
            try (Database direct = Database.open(database.settings())) {
                assertThat(TestDatabases.profileRows(direct, project)).as("rows the stopped node could not store").isZero();
            }

            Map<ProfileKey, Profile> live = new HashMap<>();
            try (NodeFixture restarted = NodeFixture.start(settings)) {
                int expected = (BATCHES + SPOOLED_BATCHES) * PER_BATCH;
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        EventCount.folded(restarted.node().member(), project) == expected);
                live.putAll(ReadersView.profiles(restarted.node().profiles(project), project));
            }
            assertThat(live).hasSize(PER_BATCH);
            assertTableEqualsGrid(database, live);
        }
    }

    @Test
    void when_the_database_is_down_then_a_node_leaving_a_cluster_stops_and_the_others_store_its_rows_once_it_is_back()
            throws Exception {
        leaveTheCluster(true);
    }

    @Test
    void when_a_node_leaves_a_cluster_then_the_others_store_the_rows_it_had_queued() throws Exception {
        leaveTheCluster(false);
    }

    /** Two nodes, rows queued on both; one leaves (with the database down, or not); the other stops last. */
    private void leaveTheCluster(boolean databaseDown) throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            String cluster = TestClusters.uniqueClusterName();
            int[] ports = {NodeFixture.freePort(), NodeFixture.freePort()};
            String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
            NodeFixture leaving = NodeFixture.start(settings(database, cluster, "leaving", ports[0], members));
            Map<ProfileKey, Profile> live = new HashMap<>();
            String project;
            try (NodeFixture staying = NodeFixture.start(settings(database, cluster, "staying", ports[1], members))) {
                try {
                    ProjectStore.Created created = leaving.createProject("acme");
                    project = created.projectId();
                    for (int b = 0; b < BATCHES; b++) {
                        NodeFixture to = b % 2 == 0 ? leaving : staying;
                        assertThat(to.post("/v1/batch", created.writeKey(),
                                TrackingApiContract.batchOfTracks("before-" + b + "-", LEAVING_PROFILES)).statusCode()).isEqualTo(200);
                    }
                    await().atMost(Duration.ofSeconds(60)).until(() ->
                            EventCount.folded(staying.node().member(), project) == BATCHES * LEAVING_PROFILES);
                    if (databaseDown) {
                        database.stop();
                    }
                } finally {
                    // it does not try the rows of partitions that moved (trying each against a dead database takes
                    // seconds, so a hundred rows would take minutes)
                    assertTimeoutPreemptively(Duration.ofSeconds(60), leaving::close, "the leaving node stops");
                }
                if (databaseDown) {
                    database.start();
                }
                live.putAll(ReadersView.profiles(staying.node().profiles(project), project));
                assertThat(live).hasSize(LEAVING_PROFILES);
                assertThat(EventCount.folded(staying.node().member(), project)).isEqualTo(BATCHES * LEAVING_PROFILES);
            }
            // the staying node, stopping last with the database up, stored every row, the leaving node's included
            assertTableEqualsGrid(database, live);
        }
    }

    /** A node on {@code database} whose write-behind waits an hour: rows are still queued when it stops. */
    private NodeSettings settings(H2TcpServer database, String cluster, String name, int port, String members) {
        return new NodeSettings(null, cluster, "127.0.0.1", port, members, "127.0.0.1", 0, dir.resolve(name),
                database.settings().url(), "", "", null, 4, 30, 3600, false,
                IngestSettings.DEFAULTS.withLogWait(Duration.ofMillis(500)), "test-admin-token");
    }

    /** Every profile of {@code live} has a row in {@code database}, equal to the grid's profile. */
    private static void assertTableEqualsGrid(H2TcpServer database, Map<ProfileKey, Profile> live) {
        try (Database direct = Database.open(database.settings())) {
            Map<ProfileKey, Profile> rows = new ProfileMapStore(direct.dataSource(), direct.dialect()).loadAll(live.keySet());
            assertThat(rows.keySet()).as("profiles with a row").containsExactlyInAnyOrderElementsOf(live.keySet());
            assertThat(rows).as("the table equals the grid").isEqualTo(live);
        }
    }
}
