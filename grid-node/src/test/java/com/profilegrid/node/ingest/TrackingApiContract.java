package com.profilegrid.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeRole;
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

    /** The role of the node the contract runs against: a tracking node must honour all of it. */
    NodeRole role() {
        return NodeRole.ALL;
    }

    @BeforeAll
    void startNode() throws IOException {
        dir = Files.createTempDirectory("profilegrid-ingest");
        db = database().fresh(dir);
        node = NodeFixture.start(NodeFixture.settings(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS,
                NodeFixture.freePort(), null).withRole(role()));
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

    @ParameterizedTest(name = "/v1/{0} as analytics.js sends it")
    @ValueSource(strings = {"track", "identify", "page", "screen", "group", "alias"})
    void when_segments_browser_library_posts_to_its_short_path_then_the_call_lands_and_the_page_may_read_the_answer(
            String type) throws IOException {
        // analytics.js: the type's first letter as the path, text/plain, the write key in the body, no Authorization
        ObjectNode message = payload("segment-" + type + ".json");
        message.put("messageId", message.get("messageId").asText() + "-browser-" + UUID.randomUUID());
        message.put("writeKey", project.writeKey());

        HttpResponse<String> response = fromPage("POST", "/v1/" + type.charAt(0), message.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertLanded(message, EventType.ofWireName(type));
    }

    @Test
    void when_segments_browser_library_sends_a_batch_then_every_message_lands() throws IOException {
        ArrayNode batch = NodeFixture.JSON.createArrayNode();
        for (String type : List.of("track", "page")) {
            ObjectNode message = payload("segment-" + type + ".json");
            message.put("messageId", UUID.randomUUID().toString());
            batch.add(message);
        }
        ObjectNode body = NodeFixture.JSON.createObjectNode().put("writeKey", project.writeKey());
        body.set("batch", batch);

        HttpResponse<String> response = fromPage("POST", "/v1/b", body.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode message : batch) {
            assertLanded((ObjectNode) message, EventType.ofWireName(message.get("type").asText()));
        }
    }

    @Test
    void when_a_page_of_another_origin_asks_then_only_the_tracking_paths_are_open_to_it() {
        for (String path : List.of("/v1/track", "/v1/batch", "/v1/t", "/v1/b", "/track/ce/", "/track/push/")) {
            HttpResponse<String> preflight = node.send(java.net.http.HttpRequest.newBuilder(node.uri(path))
                    .timeout(Duration.ofSeconds(30)).header("Origin", "https://shop.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type, authorization")
                    .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()).build());
            assertThat(preflight.statusCode()).as(path).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue("*");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).as(path)
                    .contains("POST");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
                    .as(path).contains("content-type", "authorization");
        }
        // a refusal is readable by the page too, so analytics.js sees the 401 rather than a network failure
        HttpResponse<String> refused = fromPage("POST", "/v1/t",
                "{\"writeKey\":\"pgw_nope\",\"type\":\"track\",\"event\":\"e\",\"anonymousId\":\"a\"}");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        // profile reads, label queries and the admin API are for services: no page of another origin reads them
        for (String path : List.of("/v1/profiles/someone", "/v1/labels", "/admin/projects")) {
            HttpResponse<String> read = fromPage("GET", path, null);
            assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).as(path).isEmpty();
        }
    }

    @Test
    void when_analytics_js_asks_a_node_for_its_settings_then_it_is_sent_to_that_node_and_an_unknown_key_is_404() {
        HttpResponse<String> settings = fromPage("GET", "/v1/projects/"
                + URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8) + "/settings", null);

        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(200);
        assertThat(settings.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        JsonNode segment = NodeFixture.json(settings.body()).path("integrations").path("Segment.io");
        assertThat(segment.path("apiKey").asText()).isEqualTo(project.writeKey());
        assertThat(segment.path("apiHost").asText()).isEqualTo(node.uri("/v1").getAuthority() + "/v1");
        assertThat(segment.path("protocol").asText()).isEqualTo("http");

        HttpResponse<String> unknown = fromPage("GET", "/v1/projects/pgw_nope/settings", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no project has this write key");
    }

    /** A request as a page's script on another origin makes it: an {@code Origin}, a text/plain body, no key header. */
    private HttpResponse<String> fromPage(String method, String path, String body) {
        return node.send(java.net.http.HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(30))
                .header("Origin", "https://shop.example").header("Content-Type", "text/plain;charset=UTF-8")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void when_a_batch_is_empty_then_it_is_answered_success_and_a_wrong_key_still_refused() {
        int before = node.logRecords().size();
        for (String path : List.of("/v1/batch", "/v1/import", "/v1/b")) {
            HttpResponse<String> empty = node.post(path, project.writeKey(), "{\"batch\": []}");
            assertThat(empty.statusCode()).as(path + ": " + empty.body()).isEqualTo(200);
            assertThat(NodeFixture.json(empty.body()).path("success").asBoolean()).isTrue();
        }
        HttpResponse<String> wrongKey = node.post("/v1/batch", "pgw_nope", "{\"batch\": []}");
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(node.logRecords()).hasSize(before);
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
    void when_the_browser_trackers_beacon_arrives_then_its_hits_land_together_and_a_retry_lands_nothing_twice() {
        String cookie = UUID.randomUUID().toString();
        String action = "idptnc-" + UUID.randomUUID();
        String key = project.writeKey();
        // what woopra.js sends with navigator.sendBeacon: a FormData of one field, JSON lines of hits
        String payload = "{\"endpoint\":\"ce\",\"params\":{\"project\":\"" + key + "\",\"event\":\"pv\",\"idptnc\":\""
                + action + "\",\"cookie\":\"" + cookie + "\",\"ce_url\":\"/pricing\",\"cv_email\":\"bea@example.com\","
                + "\"timeout\":300000,\"screen\":\"1920x1080\"}}\n"
                + "{\"endpoint\":\"update\",\"params\":{\"project\":\"" + key + "\",\"idptnc\":\"" + action
                + "\",\"cookie\":\"" + cookie + "\",\"duration\":5120}}";

        HttpResponse<String> sent = beacon(payload);
        HttpResponse<String> again = beacon(payload);

        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        List<TrackingEvent> landed = eventsWhere(event -> cookie.equals(event.anonymousId()));
        assertThat(landed).filteredOn(event -> event.type() == EventType.TRACK).singleElement().satisfies(event -> {
            assertThat(event.messageId()).isEqualTo(action);
            assertThat(event.eventName()).isEqualTo("pv");
            assertThat(NodeFixture.json(event.properties()).path("url").asText()).isEqualTo("/pricing");
            assertThat(NodeFixture.json(event.traits()).path("email").asText()).isEqualTo("bea@example.com");
            assertThat(NodeFixture.json(event.context()).path("woopra").path("timeout").asLong()).isEqualTo(300_000);
            assertThat(event.raw()).doesNotContain(key);
        });
        // the updates of the action (how long the page stayed open) keep the visit open and count no event
        assertThat(landed).filteredOn(event -> event.type() == EventType.PING).isNotEmpty()
                .allSatisfy(event -> assertThat(NodeFixture.json(event.context()).path("woopra").path("duration")
                        .asText()).isEqualTo("5120"));
    }

    @Test
    void when_a_beacon_has_a_bad_hit_then_none_of_its_hits_lands() {
        String cookie = UUID.randomUUID().toString();
        String good = "{\"endpoint\":\"ce\",\"params\":{\"project\":\"" + project.writeKey() + "\",\"event\":\"pv\","
                + "\"cookie\":\"" + cookie + "\"}}";

        HttpResponse<String> badEndpoint = beacon(good + "\n{\"endpoint\":\"transmogrify\",\"params\":{}}");
        HttpResponse<String> noVisitor = beacon(good + "\n{\"endpoint\":\"ce\",\"params\":{\"project\":\""
                + project.writeKey() + "\",\"event\":\"pv\"}}");
        HttpResponse<String> twoProjects = beacon(good + "\n" + good.replace(project.writeKey(),
                node.createProject("other-beacon").writeKey()));

        assertThat(badEndpoint.statusCode()).isEqualTo(400);
        assertThat(badEndpoint.body()).contains("payload line 2", "transmogrify");
        assertThat(noVisitor.statusCode()).isEqualTo(400);
        assertThat(noVisitor.body()).contains("cookie, cv_id or cv_email");
        assertThat(twoProjects.statusCode()).isEqualTo(401);
        assertThat(eventsWhere(event -> cookie.equals(event.anonymousId()))).isEmpty();
    }

    @Test
    void when_a_hit_carries_the_key_where_woopras_trackers_put_the_project_then_it_lands() {
        String key = URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8);
        String cookie = UUID.randomUUID().toString();

        // the Node.js SDK's website, with the browser tracker's trailing slash, and a ping
        HttpResponse<String> website = node.get("/track/ce/?website=" + key + "&cookie=" + cookie + "&event=play&app=node");
        HttpResponse<String> host = node.get("/track/identify?host=" + key + "&cookie=" + cookie + "&cv_id=u-" + cookie);
        HttpResponse<String> ping = node.get("/track/ping?project=" + key + "&cookie=" + cookie);
        HttpResponse<String> domain = node.get("/track/ce?website=example.com&cookie=" + cookie + "&event=play");

        assertThat(List.of(website.statusCode(), host.statusCode(), ping.statusCode())).containsOnly(200);
        // the browser tracker loads a GET hit as a script: the answer is one, and does nothing
        assertThat(website.headers().firstValue("Content-Type").orElse("")).startsWith("application/javascript");
        assertThat(website.body()).startsWith("/*").endsWith("*/\n");
        assertThat(domain.statusCode()).isEqualTo(401);
        assertThat(domain.body()).contains("'website' is 'example.com', which is not a ProfileGrid write key");
        List<TrackingEvent> landed = eventsWhere(event -> cookie.equals(event.anonymousId()));
        assertThat(landed).extracting(TrackingEvent::type)
                .containsExactlyInAnyOrder(EventType.TRACK, EventType.IDENTIFY, EventType.PING);
        assertThat(landed).filteredOn(event -> event.type() == EventType.IDENTIFY).singleElement()
                .satisfies(event -> assertThat(event.userId()).isEqualTo("u-" + cookie));
        assertThat(landed).allSatisfy(event -> assertThat(event.raw()).doesNotContain(project.writeKey()));
    }

    @Test
    void when_a_segment_call_says_it_is_a_ping_then_it_is_refused() {
        HttpResponse<String> response = node.post("/v1/batch", project.writeKey(),
                "{\"batch\":[{\"type\":\"ping\",\"userId\":\"u\"}]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("'ping' is not one of track, identify, page, screen, group, alias");
    }

    /** Posts {@code payload} as woopra.js's beacon does: multipart/form-data with one field. */
    private HttpResponse<String> beacon(String payload) {
        String boundary = "----WebKitFormBoundary" + UUID.randomUUID().toString().replace("-", "");
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n" + payload
                + "\r\n--" + boundary + "--\r\n";
        return node.send(java.net.http.HttpRequest.newBuilder(node.uri("/track/push/"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build());
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
        assertThat(node.started().projects().list()).extracting(ProjectStore.Project::projectId).contains(project.projectId());
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
