package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code profilegrid status} against a real cluster: the JSON for scripts and the table for people tell the members
 * with their spool and write-behind, the job and its lag, safe mode; while partitions move to a member that joined
 * the command exits non-zero, and 0 again once the cluster is safe (here: once that member is gone again).
 */
class StatusCommandTest {

    /** Hazelcast waits this long between partition migrations here, so that a join keeps the cluster unsafe a while. */
    private static final String MIGRATION_INTERVAL = "hazelcast.partition.migration.interval";

    @TempDir
    Path dir;

    @Test
    void when_status_is_asked_then_it_tells_the_cluster_and_exits_non_zero_while_partitions_move() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        String cluster = TestClusters.uniqueClusterName();
        int[] ports = {NodeFixture.freePort(), NodeFixture.freePort()};
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<NodeFixture> nodes = new ArrayList<>();
        String before = System.getProperty(MIGRATION_INTERVAL);
        System.setProperty(MIGRATION_INTERVAL, "1");
        try {
            nodes.add(NodeFixture.start(NodeFixture.settings(dir.resolve("n0"), db, cluster, IngestSettings.DEFAULTS,
                    ports[0], members)));
            NodeFixture first = nodes.get(0);
            ProjectStore.Created project = first.createProject("acme");
            first.postAcknowledged("/v1/batch", project.writeKey(), "{\"batch\": [{\"type\": \"track\", \"userId\": "
                    + "\"u1\", \"event\": \"Signed Up\", \"messageId\": \"m1\"}]}");
            String url = "127.0.0.1:" + first.node().httpPort();
            String token = first.node().adminToken();

            // caught up: the job runs and has applied the event
            JsonNode status = await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).until(
                    () -> NodeFixture.json(CliRun.of("status", "--url", url, "--admin-token", token, "--json").out()),
                    s -> s.path("lag").path("profilegrid-profiles").path("events").asLong(-1) == 0);
            assertThat(status.path("clusterSafe").asBoolean()).isTrue();
            assertThat(status.path("clusterState").asText()).isEqualTo("ACTIVE");
            assertThat(status.path("members")).hasSize(1);
            JsonNode member = status.path("members").get(0);
            assertThat(member.path("answering").asBoolean()).isTrue();
            assertThat(member.path("spoolBytes").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(member.path("profileStateHeapBytes").asLong()).isPositive()
                    .isLessThan(member.path("profileStateBudgetBytes").asLong());
            assertThat(status.path("jobs").findValuesAsText("name")).contains("profilegrid-profiles");
            assertThat(status.path("jobs").get(0).path("status").asText()).isEqualTo("RUNNING");
            assertThat(status.path("spool").size()).isEqualTo(1);
            assertThat(status.path("writeBehind").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(status.path("deadLetters").asLong()).isZero();
            assertThat(status.path("safeMode").path("enabled").asBoolean()).isFalse();
            assertThat(status.path("profiles").path("inMemory").asLong()).isEqualTo(1);

            CliRun table = CliRun.of("status", "--url", url, "--admin-token", token);
            assertThat(table.exit()).isZero();
            assertThat(table.out()).contains("Cluster '" + cluster + "': ACTIVE, safe", "MEMBER", "profilegrid-profiles",
                    "RUNNING", "Safe mode: off");
            assertThat(table.err()).contains("node http://" + url);

            // given the member list, a node that does not answer is passed over for the next
            String down = "127.0.0.1:" + NodeFixture.freePort();
            CliRun listed = CliRun.of("status", "--url", down + "," + url, "--admin-token", token, "--json");
            assertThat(listed.exit()).isZero();
            assertThat(NodeFixture.json(listed.out()).path("members")).hasSize(1);
            assertThat(listed.err()).contains("node http://" + down, "node http://" + url + " (http://" + down
                    + " did not answer)");

            // a member joins: partitions move to it, one a second, and the cluster is not safe meanwhile
            nodes.add(NodeFixture.start(NodeFixture.settings(dir.resolve("n1"), db, cluster, IngestSettings.DEFAULTS,
                    ports[1], members)));
            CliRun moving = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(
                    () -> CliRun.of("status", "--url", url, "--admin-token", token, "--json"),
                    run -> run.exit() == StatusCommand.NOT_SAFE);
            assertThat(NodeFixture.json(moving.out()).path("clusterSafe").asBoolean()).isFalse();
            assertThat(NodeFixture.json(moving.out()).path("members")).hasSize(2);
            // it leaves again at once (a kill: the slow migrations would take a minute either way), and the one member
            // left is safe again
            NodeFixture joined = nodes.remove(1);
            joined.node().member().getLifecycleService().terminate();
            joined.close();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(
                    () -> CliRun.of("status", "--url", url, "--admin-token", token, "--json").exit() == 0);
        } finally {
            if (before == null) {
                System.clearProperty(MIGRATION_INTERVAL);
            } else {
                System.setProperty(MIGRATION_INTERVAL, before);
            }
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            TestDatabases.drop(db);
        }
    }
}
