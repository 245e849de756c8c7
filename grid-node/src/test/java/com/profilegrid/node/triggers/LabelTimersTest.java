package com.profilegrid.node.triggers;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Labels that change with time alone: with no new event, a visitor becomes dormant once its last event is old
 * enough and stops being a newcomer once its first event leaves the window; each change fires its trigger once.
 */
class LabelTimersTest {

    @TempDir
    Path dir;

    @Test
    void when_time_passes_without_events_then_labels_enter_and_exit_on_time_and_fire_once() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 2, settings -> settings.withTriggers(
                TriggerSettings.defaults().withLabelSweep(Duration.ofMillis(500))));
             Receiver receiver = new Receiver()) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            String admin = "/admin/projects/" + project.projectId();
            created(node, admin + "/labels", "{\"name\": \"newcomers\", \"rule\": {\"firstSeen\": {\"within\": \"PT8S\"}}}");
            created(node, admin + "/labels", "{\"name\": \"dormant\", \"rule\": {\"lastSeen\": {\"olderThan\": \"PT4S\"}}}");
            created(node, admin + "/triggers", "{\"name\": \"gone-quiet\", \"on\": {\"labelEntered\": \"dormant\"}, "
                    + "\"webhook\": {\"url\": \"" + receiver.url("/dormant") + "\", \"secret\": \"sixteen-characters\"}}");
            created(node, admin + "/triggers", "{\"name\": \"settled\", \"on\": {\"labelExited\": \"newcomers\"}, "
                    + "\"webhook\": {\"url\": \"" + receiver.url("/settled") + "\", \"secret\": \"sixteen-characters\"}}");

            Instant sent = Instant.now();
            for (int v = 0; v < 10; v++) {
                node.postLogged("/v1/identify", project.writeKey(), "{\"userId\":\"u" + v + "\",\"messageId\":\"m" + v
                        + "\",\"timestamp\":\"" + sent + "\"}");
            }
            assertThat(labels(node, project, "u0")).containsExactly("newcomers");

            // no event after: dormant 4 s on, no longer a newcomer 8 s on, each within a sweep of its instant
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/dormant").size() == 10);
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/settled").size() == 10);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int v = 0; v < 10; v++) {
                    assertThat(labels(node, project, "u" + v)).containsExactly("dormant");
                }
            });
            JsonNode settled = NodeFixture.json(receiver.at("/settled").get(0).body());
            assertThat(settled.at("/cause/type").asText()).isEqualTo("labelExited");
            assertThat(settled.at("/cause/reason").asText()).startsWith("due:");
            assertThat(Instant.parse(settled.get("firedAt").asText())).isAfter(sent.plusSeconds(8));
            Thread.sleep(2_000); // further sweeps fire nothing again
            assertThat(receiver.at("/dormant")).hasSize(10);
            assertThat(receiver.at("/settled")).hasSize(10);
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static void created(NodeFixture node, String path, String body) {
        HttpResponse<String> response = node.admin("POST", path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static List<String> labels(NodeFixture node, ProjectStore.Created project, String userId) {
        List<String> labels = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> read = node.send(node.request("/v1/profiles/" + userId, project.readKey()).GET().build());
            assertThat(read.statusCode()).isEqualTo(200);
            labels.clear();
            NodeFixture.json(read.body()).get("labels").forEach(label -> labels.add(label.asText()));
        });
        return labels;
    }
}
