package com.profilegrid.node.roles;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.client.ProfileGridException;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeRole;
import com.profilegrid.node.NodeSettings;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The node roles in one JVM, on a real database: a tracking node is no Hazelcast member and serves the tracking API
 * alone; a profiles member serves the profiles and takes no tracking; an event acknowledged by the one reaches a
 * profile on the other. The multi-process faults are in {@code fault.TrackingIsolationIT} (the fault suite, {@code -Pfault}).
 */
class NodeRolesTest {

    @TempDir
    Path dir;

    private static NodeSettings settings(Path dir, Database.Settings db, String cluster, NodeRole role) {
        return settings(dir, db, cluster, role, NodeFixture.freePort());
    }

    private static NodeSettings settings(Path dir, Database.Settings db, String cluster, NodeRole role, int hazelcastPort) {
        return NodeFixture.settings(dir, db, cluster, IngestSettings.DEFAULTS, hazelcastPort, null).withRole(role);
    }

    @Test
    void when_tracking_and_profiles_run_as_separate_nodes_then_each_serves_its_part_and_events_reach_profiles()
            throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        String cluster = TestClusters.uniqueClusterName();
        try {
            Set<HazelcastInstance> before = Set.copyOf(Hazelcast.getAllHazelcastInstances());
            try (NodeFixture tracking = NodeFixture.start(settings(dir.resolve("t"), db, cluster, NodeRole.TRACKING))) {
                assertThat(Hazelcast.getAllHazelcastInstances()).as("a tracking node starts no member")
                        .containsExactlyInAnyOrderElementsOf(before);
                assertThatThrownBy(tracking::node).isInstanceOf(IllegalStateException.class);
                ProjectStore.Created project = tracking.createProject("roles");

                JsonNode ready = NodeFixture.json(tracking.get("/ready").body());
                assertThat(ready.get("role").asText()).isEqualTo("tracking");
                assertThat(ready.get("takesTracking").asBoolean()).isTrue();
                assertThat(ready.get("servesProfiles").asBoolean()).isFalse();
                assertThat(ready.get("checks").has("memberJoined")).isFalse();
                assertThat(tracking.get("/ready?strict").statusCode()).isEqualTo(200);
                assertThat(tracking.get("/health").statusCode()).isEqualTo(200);

                // acknowledged with no profile member anywhere: the tracking node needs none
                tracking.postLogged("/v1/batch", project.writeKey(), batch("early", 3));
                HttpResponse<String> profile = tracking.send(tracking.request("/v1/profiles/u-early", project.readKey())
                        .GET().build());
                assertThat(profile.statusCode()).isEqualTo(404);
                assertThat(profile.body()).contains("tracking node").contains("profiles nodes");
                assertThat(tracking.admin("GET", "/admin/status", null).statusCode()).isEqualTo(404);
                assertThat(tracking.get("/metrics").body()).contains("profilegrid_spool_bytes")
                        .contains("profilegrid_tracking").doesNotContain("profilegrid_profile_state");

                int hazelcastPort = NodeFixture.freePort();
                try (NodeFixture profiles = NodeFixture.start(settings(dir.resolve("p"), db, cluster, NodeRole.PROFILES,
                        hazelcastPort))) {
                    JsonNode membersReady = NodeFixture.json(profiles.get("/ready").body());
                    assertThat(membersReady.get("role").asText()).isEqualTo("profiles");
                    assertThat(membersReady.get("takesTracking").asBoolean()).isFalse();
                    assertThat(membersReady.get("servesProfiles").asBoolean()).isTrue();
                    assertThat(profiles.get("/ready").statusCode()).isEqualTo(200);

                    HttpResponse<String> refused = profiles.post("/v1/batch", project.writeKey(), batch("wrong", 1));
                    assertThat(refused.statusCode()).isEqualTo(404);
                    assertThat(refused.body()).contains("profiles node").contains("tracking node");

                    tracking.postLogged("/v1/batch", project.writeKey(), batch("later", 2));
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        for (String visitor : new String[] {"u-early", "u-later"}) {
                            HttpResponse<String> read = profiles.send(profiles.request("/v1/profiles/" + visitor,
                                    project.readKey()).GET().build());
                            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                            assertThat(NodeFixture.json(read.body()).get("eventCounts").get("Viewed").asLong())
                                    .isEqualTo(visitor.equals("u-early") ? 3 : 2);
                        }
                    });
                    assertThat(profiles.logRecords()).extracting(record -> record.event().messageId())
                            .doesNotContain("wrong-0");

                    sdkTracksOnOneAndQueriesTheOther(tracking, profiles, project, cluster, hazelcastPort);
                }
            }
        } finally {
            TestDatabases.drop(db);
        }
    }

    /**
     * The SDK with separate roles: {@code track} to the tracking node (ingestUrl), label queries to a profiles node
     * (queryUrl); without a queryUrl the label queries go to the tracking node, which says it serves none.
     */
    private static void sdkTracksOnOneAndQueriesTheOther(NodeFixture tracking, NodeFixture profiles,
                                                         ProjectStore.Created project, String cluster, int hazelcastPort)
            throws Exception {
        assertThat(profiles.admin("POST", "/admin/projects/" + project.projectId() + "/labels", "{\"name\": \"buyers\", "
                + "\"rule\": {\"event\": \"Bought\", \"count\": {\"gte\": 1}}}").statusCode()).isEqualTo(201);
        ClientSettings onTracking = new ClientSettings(cluster, List.of("127.0.0.1:" + hazelcastPort),
                tracking.uri(""), project.writeKey(), Duration.ofSeconds(10)).withReadKey(project.readKey());
        try (ProfileGridClient client = ProfileGridClient.connect(onTracking.withQueryUrl(profiles.uri("")))) {
            client.track("u-sdk", "Bought", Map.of("sku", "G-1"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(client.labelCounts()).containsEntry("buyers", 1L));
            assertThat(client.labelMembers("buyers", 10, null).members()).containsExactly("user:u-sdk");
        }
        try (ProfileGridClient client = ProfileGridClient.connect(onTracking)) {
            assertThatThrownBy(client::labelCounts).isInstanceOf(ProfileGridException.class).hasMessageContaining("404");
        }
    }

    @Test
    void when_the_database_is_down_then_a_tracking_node_spools_and_checks_keys_it_has_never_used()
            throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            ProjectStore.Created used = TestDatabases.createProject(database.settings(), "used");
            ProjectStore.Created unseen = TestDatabases.createProject(database.settings(), "unseen");
            try (NodeFixture tracking = NodeFixture.start(settings(dir, database.settings(),
                    TestClusters.uniqueClusterName(), NodeRole.TRACKING))) {
                tracking.postLogged("/v1/track", used.writeKey(),
                        "{\"userId\":\"u1\",\"event\":\"Before\",\"messageId\":\"before-1\"}");
                database.stop();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> !NodeFixture.json(tracking.get("/ready").body())
                            .get("checks").get("databaseReachable").asBoolean());
                    assertThat(tracking.get("/ready").statusCode()).isEqualTo(200);
                    assertThat(tracking.get("/ready?strict").statusCode()).isEqualTo(503);
                    // "unseen" was never used here: its record comes from the node's own copy of the key records
                    for (ProjectStore.Created project : new ProjectStore.Created[] {used, unseen}) {
                        HttpResponse<String> spooled = tracking.post("/v1/track", project.writeKey(),
                                "{\"userId\":\"u1\",\"event\":\"During\",\"messageId\":\"during-"
                                        + project.projectId() + "\"}");
                        assertThat(spooled.statusCode()).as(spooled.body()).isEqualTo(202);
                    }
                } finally {
                    database.start();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> tracking.logRecords().stream()
                        .map(LogRecord::event).filter(event -> event.messageId().startsWith("during-")).count() == 2);
            }
        }
    }

    private static String batch(String prefix, int events) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u-").append(prefix)
                    .append("\",\"event\":\"Viewed\",\"messageId\":\"").append(prefix).append("-").append(i).append("\"}");
        }
        return body.append("]}").toString();
    }
}
