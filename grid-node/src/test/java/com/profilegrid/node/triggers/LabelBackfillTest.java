package com.profilegrid.node.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A label's new rule is evaluated over every existing profile, those only in the database included, while ingest goes
 * on: it reaches the right count, its members page through, and only a trigger that asks for a backfill's entries
 * fires for them.
 */
class LabelBackfillTest {

    private static final int PROFILES = 10_000;

    @TempDir
    Path dir;

    @Test
    void when_a_rule_changes_over_existing_profiles_then_the_backfill_finds_every_member_and_fires_only_when_asked()
            throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 1); Receiver receiver = new Receiver()) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            String admin = "/admin/projects/" + project.projectId();
            created(node, admin + "/labels", "{\"name\": \"pro\", \"rule\": {\"property\": \"plan\", \"op\": \"eq\", "
                    + "\"value\": \"nobody\"}}");
            created(node, admin + "/triggers", "{\"name\": \"quiet\", \"on\": {\"labelEntered\": \"pro\"}, \"webhook\": "
                    + "{\"url\": \"" + receiver.url("/quiet") + "\", \"secret\": \"sixteen-characters\"}}");
            created(node, admin + "/triggers", "{\"name\": \"loud\", \"on\": {\"labelEntered\": \"pro\"}, \"onBackfill\": "
                    + "true, \"webhook\": {\"url\": \"" + receiver.url("/loud") + "\", \"secret\": \"sixteen-characters\"}}");
            identify(node, project, 0, PROFILES);

            HazelcastInstance member = node.node().member();
            Generation generation = Generation.active(member);
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                StatePipeline.Maps.flushState(member, generation);
                return persisted(db) == PROFILES;
            });
            // half of the profiles leave memory: only the database holds them
            IMap<ProfileKey, ProfileState> states = member.getMap(StatePipeline.Maps.statesMap(generation));
            for (int v = 0; v < PROFILES / 2; v++) {
                states.evict(new ProfileKey(project.projectId(), "user:u" + v));
            }
            assertThat(states.size()).isLessThanOrEqualTo(PROFILES / 2);

            HttpResponse<String> changed = node.admin("PUT", admin + "/labels/pro", "{\"rule\": {\"property\": \"plan\", "
                    + "\"op\": \"eq\", \"value\": \"pro\"}}");
            assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
            // ingest goes on meanwhile: new visitors, none of them pro
            CompletableFuture<Void> more = CompletableFuture.runAsync(() -> identify(node, project, PROFILES, 2_000));
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                JsonNode label = NodeFixture.json(node.admin("GET", admin + "/labels/pro", null).body());
                assertThat(label.get("state").asText()).as(label.toString()).isEqualTo("active");
                assertThat(label.at("/backfill/done").asLong()).isGreaterThanOrEqualTo(PROFILES);
            });
            more.join();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode counts = NodeFixture.json(read(node, project, "/v1/labels").body());
                assertThat(counts.at("/labels/0/name").asText()).isEqualTo("pro");
                assertThat(counts.at("/labels/0/count").asLong()).isEqualTo(PROFILES / 2);
            });
            Set<String> members = new HashSet<>();
            String cursor = "";
            do {
                JsonNode page = NodeFixture.json(read(node, project, "/v1/labels/pro/members?limit=1000&cursor=" + cursor)
                        .body());
                page.get("members").forEach(id -> members.add(id.asText()));
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            } while (cursor != null);
            assertThat(members).hasSize(PROFILES / 2).allMatch(id -> Integer.parseInt(id.substring("user:u".length())) % 2 == 0);

            await().atMost(Duration.ofSeconds(120)).until(() -> receiver.at("/loud").size() >= PROFILES / 2);
            Thread.sleep(1_000);
            assertThat(receiver.at("/loud")).hasSize(PROFILES / 2);
            assertThat(receiver.at("/quiet")).isEmpty();
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** Visitors {@code from} to {@code from + count - 1}: the even ones on the pro plan, before the new rule only. */
    private static void identify(NodeFixture node, ProjectStore.Created project, int from, int count) {
        Instant at = Instant.now().minusSeconds(60);
        try {
            for (int start = from; start < from + count; start += 200) {
                List<String> batch = new ArrayList<>();
                for (int v = start; v < Math.min(start + 200, from + count); v++) {
                    String plan = v < PROFILES && v % 2 == 0 ? "pro" : "free";
                    batch.add("{\"type\":\"identify\",\"userId\":\"u" + v + "\",\"messageId\":\"i" + v + "\",\"timestamp\":\""
                            + at + "\",\"traits\":{\"plan\":\"" + plan + "\"}}");
                }
                node.postLogged("/v1/batch", project.writeKey(), "{\"batch\":[" + String.join(",", batch) + "]}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long persisted(Database.Settings db) throws Exception {
        try (Connection connection = TestDatabases.connect(db); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM current_profiles")) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    private static HttpResponse<String> read(NodeFixture node, ProjectStore.Created project, String path) {
        HttpResponse<String> response = node.send(node.request(path, project.readKey()).GET().build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static void created(NodeFixture node, String path, String body) {
        HttpResponse<String> response = node.admin("POST", path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }
}
