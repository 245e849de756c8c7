package com.profilegrid.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.cluster.ClusterState;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node past an overload threshold (here: heap after GC, with the threshold lowered under what the node uses) sheds
 * tracking with 503 and Retry-After and writes nothing, turns safe mode on with the reason, pauses partition migrations
 * for at most the stated bound, and counts it; once under the threshold again it takes tracking, turns its safe mode
 * off and counts that. A safe mode an operator turned on is left on.
 */
class NodeOverloadTest {

    @TempDir
    Path dir;

    @Test
    void when_a_node_is_overloaded_then_it_sheds_defers_and_pauses_migrations_and_recovers_by_itself() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 1)) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            assertThat(track(node, project, "m1").statusCode()).isEqualTo(200);

            OverloadSettings calm = OverloadSettings.DEFAULTS.withRecoverAfter(Duration.ofSeconds(2))
                    .withMaxMigrationPause(Duration.ofSeconds(6));
            node.node().overload().settings(calm.withHeapAfterGcPercent(1));
            System.gc(); // every heap pool tells its use after a collection
            HttpResponse<String> shed = await().atMost(Duration.ofSeconds(20)).until(() -> track(node, project, "m2"),
                    answer -> answer.statusCode() == 503);
            assertThat(shed.headers().firstValue("Retry-After")).contains("5");
            assertThat(NodeFixture.json(shed.body()).path("message").asText()).contains("node overloaded",
                    "heap after GC");
            int logged = node.logRecords().size();
            assertThat(track(node, project, "m2b").statusCode()).isEqualTo(503);
            assertThat(node.logRecords()).as("nothing written while shedding").hasSize(logged);
            JsonNode safeMode = NodeFixture.json(node.admin("GET", "/admin/safe-mode", null).body());
            assertThat(safeMode.path("enabled").asBoolean()).isTrue();
            assertThat(safeMode.path("reason").asText()).startsWith("automatic: member ").contains("heap after GC");
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    node.node().member().getCluster().getClusterState() == ClusterState.NO_MIGRATION);
            // the pause ends at its bound, overloaded or not
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    node.node().member().getCluster().getClusterState() == ClusterState.ACTIVE);
            assertThat(node.node().overload().overloaded()).isTrue();
            String metrics = node.get("/metrics").body();
            assertThat(metrics).contains("profilegrid_overloaded{application=\"profilegrid\"} 1.0",
                    "profilegrid_overload_transitions_total{application=\"profilegrid\",transition=\"enter\"} 1.0");
            assertThat(metrics).containsPattern("profilegrid_tracking_refused_total\\{[^}]*reason=\"overloaded\"[^}]*} [1-9]");

            // recovered: tracking taken, its safe mode off, counted
            node.node().overload().settings(calm);
            await().atMost(Duration.ofSeconds(20)).until(() -> track(node, project, "m3").statusCode() == 200);
            assertThat(NodeFixture.json(node.admin("GET", "/admin/safe-mode", null).body()).path("enabled").asBoolean())
                    .isFalse();
            assertThat(node.get("/metrics").body()).contains("profilegrid_overloaded{application=\"profilegrid\"} 0.0",
                    "profilegrid_overload_transitions_total{application=\"profilegrid\",transition=\"leave\"} 1.0");

            // an operator's safe mode outlives an overload
            node.admin("POST", "/admin/safe-mode", "{\"enabled\": true, \"reason\": \"maintenance\"}");
            node.node().overload().settings(calm.withHeapAfterGcPercent(1));
            System.gc();
            await().atMost(Duration.ofSeconds(20)).until(() -> track(node, project, "m4").statusCode() == 503);
            node.node().overload().settings(calm);
            await().atMost(Duration.ofSeconds(20)).until(() -> track(node, project, "m5").statusCode() == 200);
            JsonNode after = NodeFixture.json(node.admin("GET", "/admin/safe-mode", null).body());
            assertThat(after.path("enabled").asBoolean()).isTrue();
            assertThat(after.path("reason").asText()).isEqualTo("maintenance");
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static HttpResponse<String> track(NodeFixture node, ProjectStore.Created project, String messageId) {
        return node.post("/v1/track", project.writeKey(), "{\"userId\": \"u1\", \"event\": \"Viewed\", \"messageId\": \""
                + messageId + "\"}");
    }
}
