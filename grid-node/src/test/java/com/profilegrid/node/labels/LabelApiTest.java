package com.profilegrid.node.labels;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Label definitions over the admin API: created, listed, shown, changed and deleted; persisted, so that a full restart
 * keeps them; a definition that is not valid is refused with the JSON path of its faulty part and changes nothing.
 */
class LabelApiTest {

    private static final String PRO = "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}";
    private static final String BUYERS = "{\"event\": \"Purchase\", \"count\": {\"gte\": 2}, \"within\": \"P30D\"}";

    @TempDir
    Path dir;

    @Test
    void when_labels_are_created_changed_and_deleted_then_the_api_shows_it_and_a_full_restart_keeps_them() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        String cluster = TestClusters.uniqueClusterName();
        String project;
        try (NodeFixture node = NodeFixture.start(dir.resolve("n"), db, cluster, IngestSettings.DEFAULTS)) {
            project = node.createProject("acme").projectId();
            String labels = "/admin/projects/" + project + "/labels";

            HttpResponse<String> created = node.admin("POST", labels, "{\"name\": \"pro-users\", \"rule\": " + PRO + "}");
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode label = NodeFixture.json(created.body());
            assertThat(label.get("name").asText()).isEqualTo("pro-users");
            assertThat(label.get("rule")).isEqualTo(NodeFixture.json(PRO));
            assertThat(label.get("state").asText()).as("a new label is evaluated over the existing profiles first")
                    .isIn("queued", "backfilling", "active");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(NodeFixture.json(node.admin("GET", labels + "/pro-users", null).body())
                            .get("state").asText()).isEqualTo("active"));

            assertThat(node.admin("POST", labels, "{\"name\": \"pro-users\", \"rule\": " + BUYERS + "}").statusCode())
                    .as("the name is taken").isEqualTo(409);
            assertThat(node.admin("PUT", labels + "/buyers", "{\"rule\": " + BUYERS + "}").statusCode()).isEqualTo(201);
            HttpResponse<String> changed = node.admin("PUT", labels + "/pro-users",
                    "{\"rule\": {\"not\": " + PRO + "}}");
            assertThat(changed.statusCode()).isEqualTo(200);
            assertThat(NodeFixture.json(changed.body()).get("createdAt")).isEqualTo(label.get("createdAt"));

            JsonNode list = NodeFixture.json(node.admin("GET", labels, null).body());
            assertThat(list).hasSize(2);
            assertThat(list.get(0).get("name").asText()).isEqualTo("buyers");
            assertThat(list.get(1).get("rule")).isEqualTo(NodeFixture.json("{\"not\": " + PRO + "}"));

            assertThat(node.admin("DELETE", labels + "/buyers", null).statusCode()).isEqualTo(200);
            assertThat(node.admin("GET", labels + "/buyers", null).statusCode()).isEqualTo(404);
            assertThat(node.admin("DELETE", labels + "/buyers", null).statusCode()).isEqualTo(404);
            assertThat(node.admin("GET", "/admin/projects/prj_nothere/labels", null).statusCode()).isEqualTo(404);
        }
        try (NodeFixture again = NodeFixture.start(dir.resolve("n"), db, cluster, IngestSettings.DEFAULTS)) {
            JsonNode list = NodeFixture.json(again.admin("GET", "/admin/projects/" + project + "/labels", null).body());
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("name").asText()).isEqualTo("pro-users");
            assertThat(list.get(0).get("rule")).isEqualTo(NodeFixture.json("{\"not\": " + PRO + "}"));
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void when_a_definition_is_not_valid_then_it_is_refused_with_its_path_and_changes_nothing() throws Exception {
        Database.Settings db = TestDatabases.H2.fresh(dir);
        try (NodeFixture node = NodeFixture.start(dir.resolve("n"), db, TestClusters.uniqueClusterName(),
                IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("acme");
            String labels = "/admin/projects/" + project.projectId() + "/labels";
            node.admin("POST", labels, "{\"name\": \"pro-users\", \"rule\": " + PRO + "}");

            assertRefused(node.admin("POST", labels, "{\"name\": \"x\", \"rule\": {\"all\": [" + PRO
                    + ", {\"property\": \"plan\", \"op\": \"equals\", \"value\": 1}]}}"), "/rule/all/1/op: unknown operator \"equals\"");
            assertRefused(node.admin("POST", labels, "{\"name\": \"has space\", \"rule\": " + PRO + "}"), "/name: ");
            assertRefused(node.admin("POST", labels, "{\"name\": \"x\"}"), "/rule: missing");
            assertRefused(node.admin("POST", labels, "{\"name\": \"x\", \"rule\": " + PRO + ", \"rules\": 1}"),
                    "/rules: unknown field");
            assertRefused(node.admin("POST", labels, "not json"), "body must be a JSON object");
            assertRefused(node.admin("PUT", labels + "/pro-users", "{\"rule\": {\"visits\": {\"gte\": 1}, \"within\": \"P1Y\"}}"),
                    "/rule/within: not an ISO-8601 duration");
            assertRefused(node.admin("PUT", labels + "/pro-users", "{\"rule\": {\"visits\": {\"gte\": 1}, \"within\": \"P91D\"}}"),
                    "/rule/within: P91D is longer than the 90 days");
            assertRefused(node.admin("PUT", labels + "/pro-users", "{\"name\": \"other\", \"rule\": " + PRO + "}"),
                    "/name: the body names");

            JsonNode list = NodeFixture.json(node.admin("GET", labels, null).body());
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("rule")).isEqualTo(NodeFixture.json(PRO));

            HttpResponse<String> noToken = node.send(HttpRequest.newBuilder(node.uri(labels)).GET().build());
            assertThat(noToken.statusCode()).isEqualTo(401);
        }
    }

    private static void assertRefused(HttpResponse<String> response, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(NodeFixture.json(response.body()).get("message").asText()).startsWith(message);
    }
}
