package com.profilegrid.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While the database is down a node stays in rotation for tracking (its spool takes the events), says why in the body,
 * and fails only the strict check; a write key this node has never used is still checked, against the key records the
 * grid holds. Once the database is back, the events spooled meanwhile are in the log.
 */
class ReadinessDuringOutageTest {

    @TempDir
    Path dir;

    @Test
    void when_the_database_is_down_then_the_node_stays_ready_for_tracking_and_checks_unseen_keys() throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            ProjectStore.Created project = TestDatabases.createProject(database.settings(), "never-used-yet");
            try (NodeFixture node = NodeFixture.onStoppable(dir, database)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> node.get("/ready?strict").statusCode() == 200);
                JsonNode healthy = NodeFixture.json(node.get("/ready").body());
                assertThat(healthy.get("checks").get("databaseReachable").asBoolean()).isTrue();
                assertThat(healthy.get("pipeline").asText()).isEqualTo("RUNNING");

                database.stop();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() ->
                            !NodeFixture.json(node.get("/ready").body()).get("checks").get("databaseReachable").asBoolean());
                    HttpResponse<String> ready = node.get("/ready");
                    assertThat(ready.statusCode()).isEqualTo(200);
                    JsonNode body = NodeFixture.json(ready.body());
                    assertThat(body.get("takesTracking").asBoolean()).isTrue();
                    assertThat(body.get("checks").get("spoolHasRoom").asBoolean()).isTrue();
                    assertThat(body.get("spoolFreeBytes").asLong()).isPositive();
                    HttpResponse<String> strict = node.get("/ready?strict");
                    assertThat(strict.statusCode()).isEqualTo(503);
                    assertThat(strict.headers().firstValue("Retry-After")).isPresent();

                    HttpResponse<String> tracked = node.post("/v1/track", project.writeKey(),
                            "{\"userId\":\"u1\",\"event\":\"During outage\",\"messageId\":\"outage-1\"}");
                    assertThat(tracked.statusCode()).as(tracked.body()).isEqualTo(202);
                } finally {
                    database.start();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> node.logRecords().stream()
                        .map(LogRecord::event).anyMatch(event -> event.messageId().equals("outage-1")));
            }
        }
    }
}
