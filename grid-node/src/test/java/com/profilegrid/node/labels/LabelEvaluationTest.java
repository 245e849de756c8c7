package com.profilegrid.node.labels;

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
 * A profile's labels are part of the profile, evaluated in the step that changes it: a visitor enters a label when an
 * event makes its rule match and leaves it when one makes it stop matching; a changed rule applies from the profile's
 * next change on.
 */
class LabelEvaluationTest {

    @TempDir
    Path dir;

    @Test
    void when_events_make_rules_match_or_stop_matching_then_the_profile_enters_and_leaves_labels() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 2)) {
            // two members: each evaluates the profiles it owns, from its own copy of the definitions
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            String labels = "/admin/projects/" + project.projectId() + "/labels";
            assertThat(node.admin("POST", labels, "{\"name\": \"pro\", \"rule\": "
                    + "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}}").statusCode()).isEqualTo(201);
            assertThat(node.admin("POST", labels, "{\"name\": \"buyers\", \"rule\": "
                    + "{\"event\": \"Purchase\", \"count\": {\"gte\": 2}, \"within\": \"P30D\"}}").statusCode()).isEqualTo(201);
            Instant now = Instant.now();

            track(node, project, "{\"type\":\"identify\",\"userId\":\"u1\",\"anonymousId\":\"a1\",\"messageId\":\"m1\","
                    + "\"timestamp\":\"" + now.minusSeconds(60) + "\",\"traits\":{\"plan\":\"pro\"}}");
            awaitLabels(node, project, "u1", List.of("pro"));

            track(node, project, purchase("m2", now.minusSeconds(50)), purchase("m3", now.minusSeconds(40)));
            awaitLabels(node, project, "u1", List.of("buyers", "pro"));

            track(node, project, "{\"type\":\"identify\",\"userId\":\"u1\",\"messageId\":\"m4\",\"timestamp\":\""
                    + now.minusSeconds(30) + "\",\"traits\":{\"plan\":\"free\"}}");
            awaitLabels(node, project, "u1", List.of("buyers"));

            // an anonymous visitor's two purchases, merged into u2 by a later identify: the merged profile is evaluated
            track(node, project, anonymousPurchase("m5", "a2", now.minusSeconds(20)));
            awaitLabels(node, project, "a2", List.of());
            track(node, project, "{\"type\":\"identify\",\"userId\":\"u2\",\"anonymousId\":\"a2\",\"messageId\":\"m6\","
                    + "\"timestamp\":\"" + now.minusSeconds(15) + "\"}", purchase("m7", now.minusSeconds(10)).replace("u1", "u2"));
            awaitLabels(node, project, "u2", List.of("buyers"));

            // a changed rule applies from the profile's next change on
            assertThat(node.admin("PUT", labels + "/buyers", "{\"rule\": "
                    + "{\"event\": \"Purchase\", \"count\": {\"gte\": 3}}}").statusCode()).isEqualTo(200);
            track(node, project, "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Viewed\",\"messageId\":\"m8\","
                    + "\"timestamp\":\"" + now.minusSeconds(5) + "\"}");
            awaitLabels(cluster.node(1), project, "u1", List.of());
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static String purchase(String messageId, Instant at) {
        return "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Purchase\",\"messageId\":\"" + messageId
                + "\",\"timestamp\":\"" + at + "\"}";
    }

    private static String anonymousPurchase(String messageId, String anonymousId, Instant at) {
        return "{\"type\":\"track\",\"anonymousId\":\"" + anonymousId + "\",\"event\":\"Purchase\",\"messageId\":\""
                + messageId + "\",\"timestamp\":\"" + at + "\"}";
    }

    private static void track(NodeFixture node, ProjectStore.Created project, String... messages) throws Exception {
        node.postLogged("/v1/batch", project.writeKey(), "{\"batch\":[" + String.join(",", messages) + "]}");
    }

    private static void awaitLabels(NodeFixture node, ProjectStore.Created project, String id, List<String> expected) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> read = node.send(node.request("/v1/profiles/" + id, project.readKey()).GET().build());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            List<String> labels = new ArrayList<>();
            for (JsonNode label : NodeFixture.json(read.body()).get("labels")) {
                labels.add(label.asText());
            }
            assertThat(labels).as(read.body()).isEqualTo(expected);
        });
    }
}
