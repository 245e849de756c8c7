package com.profilegrid.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real HTTP round trips through both tracking dialects into the tracking log, checked field by field.
 * Run once per database by its subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TrackingApiContract {

    private Path dir;
    private Database.Settings db;
    NodeFixture node;
    ProjectStore.Created project;

    abstract TestDatabases database();

    @BeforeAll
    void startNode() throws IOException {
        dir = Files.createTempDirectory("profilegrid-ingest");
        db = database().fresh(dir);
        node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);
        project = node.createProject("acme");
    }

    @AfterAll
    void stopNode() throws Exception {
        node.close();
        TestDatabases.drop(db);
    }

    @ParameterizedTest(name = "/v1/{0}")
    @ValueSource(strings = {"track", "identify", "page", "screen", "group", "alias"})
    void when_a_captured_segment_call_is_posted_then_it_lands_in_the_log_with_every_field(String type) throws IOException {
        ObjectNode message = payload("segment-" + type + ".json");
        message.put("messageId", message.get("messageId").asText() + "-" + UUID.randomUUID());

        HttpResponse<String> response = node.post("/v1/" + type, project.writeKey(), message.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(NodeFixture.json(response.body()).get("success").asBoolean()).isTrue();
        assertLanded(message, EventType.ofWireName(type));
    }

    @ParameterizedTest(name = "/v1/{0} gzip")
    @ValueSource(strings = {"batch", "import"})
    void when_a_gzip_batch_of_every_call_type_is_posted_then_every_message_lands(String endpoint) throws IOException {
        ArrayNode batch = NodeFixture.JSON.createArrayNode();
        for (String type : List.of("track", "identify", "page", "screen", "group", "alias")) {
            ObjectNode message = payload("segment-" + type + ".json");
            message.put("messageId", UUID.randomUUID().toString());
            batch.add(message);
        }
        ObjectNode body = NodeFixture.JSON.createObjectNode().put("writeKey", project.writeKey());
        body.set("batch", batch);

        HttpResponse<String> response = node.postGzip("/v1/" + endpoint, null, body.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode message : batch) {
            assertLanded((ObjectNode) message, EventType.ofWireName(message.get("type").asText()));
        }
    }

    @Test
    void when_the_same_batch_is_sent_three_times_then_each_message_is_in_the_log_once() {
        String body = batchOfTracks("retry-" + UUID.randomUUID() + "-", 50);

        for (int i = 0; i < 3; i++) {
            assertThat(node.post("/v1/batch", project.writeKey(), body).statusCode()).isEqualTo(200);
        }

        Map<String, Long> counts = node.logRecords().stream().map(LogRecord::event)
                .filter(event -> event.messageId().startsWith("retry-"))
                .filter(event -> body.contains(event.messageId()))
                .collect(Collectors.groupingBy(TrackingEvent::messageId, Collectors.counting()));
        assertThat(counts).hasSize(50).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
    }

    @Test
    void when_a_woopra_timestamp_can_only_be_seconds_then_it_is_read_as_seconds() {
        String cookie = UUID.randomUUID().toString();
        long seconds = Instant.now().minusSeconds(3_600).getEpochSecond();

        HttpResponse<String> hit = node.get("/track/ce?event=play&cookie=" + cookie + "&timestamp=" + seconds
                + "&project=" + URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8));

        assertThat(hit.statusCode()).as(hit.body()).isEqualTo(200);
        assertThat(eventsWhere(event -> cookie.equals(event.anonymousId())))
                .extracting(TrackingEvent::timestamp).containsExactly(Instant.ofEpochSecond(seconds));
    }

    @Test
    void when_a_captured_woopra_event_is_sent_by_get_and_post_then_it_lands_once_with_its_properties() {
        String query = resource("woopra-ce.txt").trim()
                .replace("PROJECT_KEY", URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8))
                .replace("cookie=AH47DHS5SF182DIQZJD", "cookie=" + UUID.randomUUID());
        String cookie = query.replaceAll(".*cookie=([^&]+).*", "$1");

        HttpResponse<String> get = node.get("/track/ce?" + query);
        HttpResponse<String> retry = node.postForm("/track/ce", query);

        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        List<TrackingEvent> landed = eventsWhere(event -> cookie.equals(event.anonymousId()));
        assertThat(landed).hasSize(1);
        TrackingEvent event = landed.get(0);
        assertThat(event.project()).isEqualTo(project.projectId());
        assertThat(event.type()).isEqualTo(EventType.TRACK);
        assertThat(event.eventName()).isEqualTo("play");
        assertThat(event.timestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(NodeFixture.json(event.properties())).isEqualTo(NodeFixture.json(
                "{\"artist\":\"Dave Brubeck\",\"song\":\"Take Five\",\"genre\":\"Jazz\"}"));
        assertThat(NodeFixture.json(event.traits())).isEqualTo(NodeFixture.json(
                "{\"name\":\"John Smith\",\"email\":\"john@smith.com\",\"company\":\"Smith Corp\"}"));
        JsonNode context = NodeFixture.json(event.context());
        assertThat(context.get("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(context.get("woopra").get("timeout").asText()).isEqualTo("300000");
        assertThat(context.get("woopra").get("referer").asText()).isEqualTo("https://www.google.com/");
        assertThat(event.raw()).doesNotContain(project.writeKey());
        assertThat(NodeFixture.json(event.raw()).get("browser").asText()).isEqualTo("Chrome");
    }

    @Test
    void when_a_woopra_identify_is_posted_then_its_visitor_traits_land() {
        String cookie = UUID.randomUUID().toString();
        HttpResponse<String> response = node.postForm("/track/identify", "project="
                + URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8)
                + "&cookie=" + cookie + "&cv_email=ann%40example.com&cv_name=Ann");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        TrackingEvent event = eventsWhere(e -> cookie.equals(e.anonymousId())).get(0);
        assertThat(event.type()).isEqualTo(EventType.IDENTIFY);
        assertThat(NodeFixture.json(event.traits())).isEqualTo(NodeFixture.json("{\"email\":\"ann@example.com\",\"name\":\"Ann\"}"));
    }

    @Test
    void when_strings_look_like_sql_then_they_are_stored_verbatim_and_the_schema_is_intact() {
        String evil = "'); DROP TABLE tracking_log; -- \" OR 1=1; DELETE FROM projects WHERE '1'='1";
        ObjectNode message = NodeFixture.JSON.createObjectNode()
                .put("userId", evil).put("event", evil).put("messageId", "sql-" + UUID.randomUUID());
        message.putObject("properties").put(evil, evil);

        assertThat(node.post("/v1/track", project.writeKey(), message.toString()).statusCode()).isEqualTo(200);

        TrackingEvent event = eventsWhere(e -> e.messageId().equals(message.get("messageId").asText())).get(0);
        assertThat(event.userId()).isEqualTo(evil);
        assertThat(event.eventName()).isEqualTo(evil);
        assertThat(NodeFixture.json(event.properties()).get(evil).asText()).isEqualTo(evil);
        assertThat(node.node().projects().list()).extracting(ProjectStore.Project::projectId).contains(project.projectId());
    }

    @Test
    void when_two_projects_send_events_then_each_lands_only_in_its_own_project() {
        ProjectStore.Created other = node.createProject("globex");
        String id = "iso-" + UUID.randomUUID();

        node.post("/v1/track", other.writeKey(), "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"" + id + "\"}");
        node.post("/v1/track", project.writeKey(), "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"" + id + "\"}");

        assertThat(eventsWhere(e -> e.messageId().equals(id))).extracting(TrackingEvent::project)
                .containsExactlyInAnyOrder(project.projectId(), other.projectId());
    }

    void assertLanded(ObjectNode sent, EventType type) {
        String messageId = sent.get("messageId").asText();
        List<TrackingEvent> landed = eventsWhere(event -> event.messageId().equals(messageId));
        assertThat(landed).hasSize(1);
        TrackingEvent event = landed.get(0);
        ObjectNode expectedRaw = sent.deepCopy();
        expectedRaw.remove("writeKey");
        assertThat(NodeFixture.json(event.raw())).isEqualTo(expectedRaw);
        assertThat(event.project()).isEqualTo(project.projectId());
        assertThat(event.type()).isEqualTo(type);
        assertThat(event.userId()).isEqualTo(text(sent, "userId"));
        assertThat(event.anonymousId()).isEqualTo(text(sent, "anonymousId"));
        assertThat(event.previousId()).isEqualTo(text(sent, "previousId"));
        assertThat(event.groupId()).isEqualTo(text(sent, "groupId"));
        assertThat(event.eventName()).isEqualTo(type == EventType.TRACK ? text(sent, "event") : text(sent, "name"));
        assertThat(NodeFixture.json(event.properties())).isEqualTo(orEmpty(sent.get("properties")));
        assertThat(NodeFixture.json(event.traits())).isEqualTo(orEmpty(sent.get("traits")));
        assertThat(NodeFixture.json(event.context())).isEqualTo(orEmpty(sent.get("context")));
        Duration skew = Duration.between(OffsetDateTime.parse(text(sent, "timestamp")).toInstant(),
                OffsetDateTime.parse(text(sent, "sentAt")).toInstant());
        assertThat(event.timestamp()).isEqualTo(event.receivedAt().minus(skew));
    }

    List<TrackingEvent> eventsWhere(java.util.function.Predicate<TrackingEvent> filter) {
        return node.logRecords().stream().map(LogRecord::event).filter(filter).toList();
    }

    static String batchOfTracks(String prefix, int count) {
        ArrayNode batch = NodeFixture.JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            batch.addObject().put("type", "track").put("event", "Clicked").put("userId", "u" + i)
                    .put("messageId", prefix + i).put("timestamp", "2026-11-01T10:00:00Z");
        }
        ObjectNode body = NodeFixture.JSON.createObjectNode();
        body.set("batch", batch);
        return body.toString();
    }

    private static JsonNode orEmpty(JsonNode node) {
        return node == null ? NodeFixture.JSON.createObjectNode() : node;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    static ObjectNode payload(String name) {
        return (ObjectNode) NodeFixture.json(resource(name));
    }

    static String resource(String name) {
        try (InputStream in = TrackingApiContract.class.getResourceAsStream("/payloads/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
