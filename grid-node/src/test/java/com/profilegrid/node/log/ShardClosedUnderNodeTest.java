package com.profilegrid.node.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose own log shard is closed under it (by a process that wrongly took its name) stops reporting ready and
 * no longer commits to that shard, whose events nobody would read: what it still accepts goes to its spool.
 */
class ShardClosedUnderNodeTest {

    @TempDir
    Path dir;

    @Test
    void when_the_nodes_shard_is_closed_under_it_then_it_reports_not_ready_and_spools() throws Exception {
        Database.Settings db = TestDatabases.H2.fresh(dir);
        try (NodeFixture node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("acme");
            assertThat(node.post("/v1/track", project.writeKey(), "{\"userId\":\"u\",\"event\":\"before\"}").statusCode())
                    .isEqualTo(200);

            try (Connection connection = DriverManager.getConnection(db.url(), db.user(), db.password());
                 PreparedStatement close = connection.prepareStatement("UPDATE log_shards SET closed_ms = 1 WHERE shard = ?")) {
                close.setLong(1, node.node().trackingLog().localShard());
                assertThat(close.executeUpdate()).isEqualTo(1);
            }

            HttpResponse<String> after = node.post("/v1/track", project.writeKey(), "{\"userId\":\"u\",\"event\":\"after\"}");
            assertThat(after.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.get("/ready").statusCode() == 503);
            JsonNode ready = NodeFixture.json(node.get("/ready").body());
            assertThat(ready.get("checks").get("logShardOpen").asBoolean()).isFalse();
            assertThat(node.logRecords()).extracting(record -> record.event().eventName()).containsExactly("before");
            assertThat(node.node().spool().hasPending()).isTrue();
        }
    }
}
