package com.profilegrid.node.ingest;

import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the profile pipeline could not fold is refused at ingest with a 400 naming the field (or, for an absurd
 * timestamp, corrected to the time received, as Segment does), and the profile job goes on: after each case an
 * ordinary event reaches its profile. Before, such an event was acknowledged and then stopped every project's
 * profiles for good.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnfoldableInputTest {

    private static final String LONG_ID = "x".repeat(256);

    private NodeFixture node;
    private ProjectStore.Created project;

    @BeforeAll
    void startNode() throws IOException {
        Path dir = Files.createTempDirectory("profilegrid-unfoldable");
        node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);
        project = node.createProject("acme");
    }

    @AfterAll
    void stopNode() {
        node.close();
    }

    @Test
    void when_a_user_id_is_too_long_for_a_profile_key_then_400_names_it_and_profiles_go_on() {
        int logBefore = node.logRecords().size();
        assertRefused(node.post("/v1/track", project.writeKey(),
                "{\"userId\":\"" + LONG_ID + "\",\"event\":\"Clicked\"}"), "message.userId is longer than 250");
        assertRefused(node.post("/v1/batch", project.writeKey(), "{\"batch\":[{\"type\":\"track\",\"userId\":\"ok\","
                + "\"event\":\"e\"},{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"" + LONG_ID + "\"}]}"),
                "batch[1].previousId is longer than 250");
        assertRefused(node.post("/v1/track", project.writeKey(),
                "{\"anonymousId\":\"a\\u0000b\",\"event\":\"Clicked\"}"), "message.anonymousId contains a NUL");
        assertThat(node.logRecords()).hasSize(logBefore);

        assertFoldsAfterwards("after-long-user-id");
    }

    @Test
    void when_an_email_trait_is_too_long_then_400_names_it_and_profiles_go_on() {
        int logBefore = node.logRecords().size();
        String email = "a".repeat(290) + "@example.com";
        assertRefused(node.post("/v1/identify", project.writeKey(),
                "{\"userId\":\"u-mail\",\"traits\":{\"email\":\"" + email + "\"}}"), "message.traits.email is longer than");
        HttpResponse<String> woopra = node.send(node.request("/track/identify?cookie=c1&cv_email="
                + URLEncoder.encode(email, StandardCharsets.UTF_8), project.writeKey()).GET().build());
        assertRefused(woopra, "cv_email is longer than");
        HttpResponse<String> cookie = node.send(node.request("/track/ce?event=e&cookie=" + "c".repeat(251),
                project.writeKey()).GET().build());
        assertRefused(cookie, "cookie is longer than 250");
        assertThat(node.logRecords()).hasSize(logBefore);

        assertFoldsAfterwards("after-long-email");
    }

    @Test
    void when_a_timestamp_is_out_of_range_then_the_event_gets_the_time_received_and_keeps_the_original() {
        Instant before = Instant.now();
        String body = "{\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"far-future\",\"event\":\"e\",\"messageId\":\"ts-1\",\"timestamp\":\"+999999999-12-31T23:59:59Z\"},"
                + "{\"type\":\"track\",\"userId\":\"far-future\",\"event\":\"e\",\"messageId\":\"ts-2\",\"timestamp\":\"1970-01-01T00:00:00Z\"},"
                + "{\"type\":\"track\",\"userId\":\"far-future\",\"event\":\"e\",\"messageId\":\"ts-3\",\"timestamp\":\"2026-11-01T10:00:00Z\","
                + "\"sentAt\":\"-999999999-01-01T00:00:00Z\"},"
                + "{\"type\":\"track\",\"userId\":\"far-future\",\"event\":\"e\",\"messageId\":\"ts-4\",\"timestamp\":\"2026-11-01T10:00:00Z\"}]}";
        assertThat(node.post("/v1/batch", project.writeKey(), body).statusCode()).isEqualTo(200);
        HttpResponse<String> woopra = node.send(node.request("/track/ce?cookie=far-cookie&event=e&id=ts-5&timestamp="
                + Long.MAX_VALUE, project.writeKey()).GET().build());
        assertThat(woopra.statusCode()).isEqualTo(200);

        for (String corrected : new String[] {"ts-1", "ts-2", "ts-3", "ts-5"}) {
            TrackingEvent event = logged(corrected);
            assertThat(event.timestamp()).as(corrected).isEqualTo(event.receivedAt()).isAfterOrEqualTo(before.minusSeconds(1));
        }
        assertThat(logged("ts-1").raw()).contains("+999999999-12-31T23:59:59Z");
        assertThat(logged("ts-4").timestamp()).isEqualTo(Instant.parse("2026-11-01T10:00:00Z"));

        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        ProfileKey key = new ProfileKey(project.projectId(), "user:far-future");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(profiles.get(key)).isNotNull().satisfies(profile -> assertThat(profile.eventCounts()).containsEntry("e", 4L)));
        assertFoldsAfterwards("after-odd-timestamps");
    }

    @Test
    void when_a_timestamp_is_written_as_some_libraries_do_then_it_is_read_as_meant() {
        String body = "{\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"formats\",\"event\":\"e\",\"messageId\":\"fmt-1\",\"timestamp\":\"2026-11-01T11:00:00.000+0100\"},"
                + "{\"type\":\"track\",\"userId\":\"formats\",\"event\":\"e\",\"messageId\":\"fmt-2\",\"timestamp\":\"2026-11-01T10:00:00\"},"
                + "{\"type\":\"track\",\"userId\":\"formats\",\"event\":\"e\",\"messageId\":\"fmt-3\",\"timestamp\":\"2026-11-01T12:00:00+02\"},"
                + "{\"type\":\"track\",\"userId\":\"formats\",\"event\":\"e\",\"messageId\":\"fmt-4\",\"timestamp\":\"2026-11-01 10:00:00.000000+00:00\"}]}";
        assertThat(node.post("/v1/batch", project.writeKey(), body).statusCode()).isEqualTo(200);
        for (String id : new String[] {"fmt-1", "fmt-2", "fmt-3", "fmt-4"}) {
            assertThat(logged(id).timestamp()).as(id).isEqualTo(Instant.parse("2026-11-01T10:00:00Z"));
        }
        HttpResponse<String> garbage = node.post("/v1/track", project.writeKey(),
                "{\"userId\":\"formats\",\"event\":\"e\",\"timestamp\":\"2026-11-01 at ten\"}");
        assertRefused(garbage, "message.timestamp is not an ISO-8601 date-time");
    }

    private TrackingEvent logged(String messageId) {
        return node.logRecords().stream().map(LogRecord::event).filter(event -> event.messageId().equals(messageId))
                .findFirst().orElseThrow();
    }

    private void assertFoldsAfterwards(String userId) {
        assertThat(node.post("/v1/track", project.writeKey(),
                "{\"userId\":\"" + userId + "\",\"event\":\"Clicked\"}").statusCode()).isEqualTo(200);
        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        ProfileKey key = new ProfileKey(project.projectId(), "user:" + userId);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(profiles.get(key)).isNotNull());
        assertThat(profiles.get(key).eventCounts()).containsEntry("Clicked", 1L);
    }

    private static void assertRefused(HttpResponse<String> response, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(NodeFixture.json(response.body()).get("message").asText()).contains(message);
    }
}
