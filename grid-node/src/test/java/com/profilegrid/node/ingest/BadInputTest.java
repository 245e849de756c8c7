package com.profilegrid.node.ingest;

import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gets a clear 4xx naming the problem, and the tracking log stays as it was. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private static final String OK_TRACK = "{\"userId\":\"u1\",\"event\":\"Clicked\"}";

    private Path dir;
    private Database.Settings db;
    private NodeFixture node;
    private ProjectStore.Created project;
    private int logSizeBefore;

    @BeforeAll
    void startNode() throws IOException {
        dir = Files.createTempDirectory("profilegrid-bad-input");
        db = TestDatabases.H2.fresh(dir);
        node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);
        project = node.createProject("acme");
    }

    @AfterAll
    void stopNode() {
        node.close();
    }

    @BeforeEach
    void rememberLog() {
        logSizeBefore = node.logRecords().size();
    }

    @AfterEach
    void logIsUnchanged() {
        assertThat(node.logRecords()).hasSize(logSizeBefore);
    }

    @Test
    void when_no_key_is_given_then_401() {
        assertRefused(node.post("/v1/track", null, OK_TRACK), 401, "missing write key");
    }

    @Test
    void when_the_key_is_wrong_then_401() {
        String forged = project.writeKey().substring(0, project.writeKey().length() - 4) + "AAAA";
        assertRefused(node.post("/v1/track", forged, OK_TRACK), 401, "unknown or revoked write key");
        assertRefused(node.post("/v1/track", "not-a-key", OK_TRACK), 401,
                "not a ProfileGrid key: sending events needs the project's write key (pgw_...)");
        assertRefused(node.post("/v1/track", "example.com", OK_TRACK), 401, "not a ProfileGrid key");
        assertRefused(node.post("/v1/track", project.readKey(), OK_TRACK), 401,
                "this is the project's read key: sending events needs the project's write key (pgw_...)");
    }

    @Test
    void when_the_key_is_revoked_then_401() {
        ProjectStore.Created revoked = node.createProject("to-revoke");
        assertThat(node.post("/v1/track", revoked.writeKey(), "{\"userId\":\"u\",\"event\":\"e\"}").statusCode()).isEqualTo(200);
        logSizeBefore++;

        HttpResponse<String> noToken = node.send(HttpRequest.newBuilder(
                node.uri("/admin/projects/" + revoked.projectId() + "/revoke")).POST(HttpRequest.BodyPublishers.noBody()).build());
        HttpResponse<String> revoke = node.send(HttpRequest.newBuilder(
                        node.uri("/admin/projects/" + revoked.projectId() + "/revoke"))
                .header("Authorization", "Bearer test-admin-token").POST(HttpRequest.BodyPublishers.noBody()).build());

        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(NodeFixture.json(noToken.body()).get("message").asText()).startsWith("admin token required: send "
                + "Authorization: Bearer <token>");
        HttpResponse<String> wrongToken = node.send(HttpRequest.newBuilder(
                        node.uri("/admin/projects/" + revoked.projectId() + "/revoke"))
                .header("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertRefused(wrongToken, 401, "wrong admin token");
        assertThat(revoke.statusCode()).isEqualTo(200);
        assertRefused(node.post("/v1/track", revoked.writeKey(), OK_TRACK), 401, "unknown or revoked write key");
    }

    @Test
    void when_a_request_carries_keys_of_two_projects_then_401() {
        ProjectStore.Created other = node.createProject("other");
        String body = "{\"userId\":\"u1\",\"event\":\"Clicked\",\"writeKey\":\"" + other.writeKey() + "\"}";
        assertRefused(node.post("/v1/track", project.writeKey(), body), 401, "two different write keys");

        HttpResponse<String> woopra = node.send(node.request("/track/ce?cookie=c&event=e&project="
                + URLEncoder.encode(other.writeKey(), StandardCharsets.UTF_8), project.writeKey()).GET().build());
        assertRefused(woopra, 401, "two different write keys");
    }

    @Test
    void when_a_woopra_hit_names_its_site_instead_of_a_key_then_401_says_where_the_key_goes() {
        HttpResponse<String> domain = node.send(node.request("/track/ce?event=play&cookie=c1&project=example.com", null)
                .GET().build());
        assertRefused(domain, 401, "'project' is 'example.com', which is not a ProfileGrid write key");
        assertThat(NodeFixture.json(domain.body()).get("message").asText()).contains("in its place", "or as 'writeKey'");
        assertRefused(node.send(node.request("/track/ce?event=play&cookie=c1", null).GET().build()), 401,
                "missing write key");
    }

    @Test
    void when_the_path_or_method_is_wrong_then_404_or_405_in_json_says_what_exists() {
        HttpResponse<String> noSuchPath = node.post("/track", project.writeKey(), OK_TRACK);
        assertRefused(noSuchPath, 404, "no endpoint POST /track: tracking is POST /v1/batch");
        assertThat(noSuchPath.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertRefused(node.get("/v1/track"), 405, "method GET is not allowed on /v1/track; allowed: POST");
        assertRefused(node.send(node.request("/v1/profiles/u1", project.writeKey()).GET().build()), 401,
                "this is the project's write key: reading profiles needs the project's read key (pgr_...)");
    }

    @Test
    void when_the_json_is_cut_short_then_400_says_where_without_the_parsers_internals() {
        HttpResponse<String> cut = node.post("/v1/batch", project.writeKey(), "{\"batch\":[{\"type\":\"track\"");
        assertRefused(cut, 400, "malformed JSON: Unexpected end-of-input");
        assertThat(NodeFixture.json(cut.body()).get("message").asText()).contains("at line 1, column ")
                .doesNotContain("Source").doesNotContain("StreamReadFeature").doesNotContain("REDACTED");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "malformed JSON           | /v1/track    | {\"userId\":\"u1\",                                 | malformed JSON",
            "not an object            | /v1/track    | [1,2]                                              | must be a JSON object",
            "empty body               | /v1/track    | ''                                                 | body is empty",
            "userId of wrong type     | /v1/track    | {\"userId\":{\"a\":1},\"event\":\"e\"}             | userId must be a string",
            "properties not an object | /v1/track    | {\"userId\":\"u\",\"event\":\"e\",\"properties\":[1]} | properties must be an object",
            "timestamp not a string   | /v1/track    | {\"userId\":\"u\",\"event\":\"e\",\"timestamp\":5}  | timestamp must be a string",
            "timestamp not a date     | /v1/track    | {\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"yesterday\"} | ISO-8601",
            "event not a string       | /v1/track    | {\"userId\":\"u\",\"event\":42}                    | event must be a string",
            "no user or anonymous id  | /v1/track    | {\"event\":\"e\",\"properties\":{}}                | needs a userId or an anonymousId",
            "empty userId, no other   | /v1/identify | {\"userId\":\"\",\"anonymousId\":\" \"}           | needs a userId or an anonymousId",
            "track without event      | /v1/track    | {\"userId\":\"u\"}                                 | needs event",
            "alias without previousId | /v1/alias    | {\"userId\":\"u\"}                                 | needs previousId",
            "group without groupId    | /v1/group    | {\"userId\":\"u\"}                                 | needs groupId",
            "batch not an array       | /v1/batch    | {\"batch\":{}}                                     | batch must be an array",
            "batch item without type  | /v1/batch    | {\"batch\":[{\"userId\":\"u\",\"event\":\"e\"}]}  | batch[0] needs type",
            "batch item of bad type   | /v1/batch    | {\"batch\":[{\"type\":\"bogus\",\"userId\":\"u\"}]} | is not one of",
            "one bad message in batch | /v1/batch    | {\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"ok\"},{\"type\":\"track\",\"event\":\"x\"}]} | batch[1] needs a userId",
    })
    void when_the_json_is_invalid_then_400_names_the_problem(String name, String path, String body, String message) {
        assertRefused(node.post(path, project.writeKey(), body), 400, message);
    }

    @Test
    void when_json_is_a_bomb_then_it_is_refused_while_parsing() {
        String deep = "{\"userId\":\"u\",\"event\":\"e\",\"properties\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100) + "}";
        assertRefused(node.post("/v1/batch", project.writeKey(), "{\"batch\":[" + deep + "]}"), 400, "nesting depth");
        String longString = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"" + "x".repeat(100_000) + "\"}]}";
        assertRefused(node.post("/v1/batch", project.writeKey(), longString), 400, "String value length");
        String longNumber = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"n\":"
                + "9".repeat(5_000) + "}}]}";
        assertRefused(node.post("/v1/batch", project.writeKey(), longNumber), 400, "Number value length");
        String longName = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\""
                + "k".repeat(5_000) + "\":1}}]}";
        assertRefused(node.post("/v1/batch", project.writeKey(), longName), 400, "Name length");
    }

    @Test
    void when_sizes_exceed_the_limits_then_413() {
        String bigProperties = "{\"userId\":\"u\",\"event\":\"e\",\"properties\":{" + manyProperties(2_000) + "}}";
        assertRefused(node.post("/v1/track", project.writeKey(), bigProperties), 413, "limit");
        assertRefused(node.post("/v1/batch", project.writeKey(), "{\"batch\":[" + bigProperties.replace("{\"userId\"",
                "{\"type\":\"track\",\"userId\"") + "]}"), 413, "batch[0] is");

        StringBuilder bigBatch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 40; i++) {
            bigBatch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{")
                    .append(manyProperties(700)).append("}}");
        }
        assertRefused(node.post("/v1/batch", project.writeKey(), bigBatch.append("]}").toString()), 413, "the limit is 512000 bytes");

        StringBuilder tooMany = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < SegmentMessages.MAX_BATCH_MESSAGES + 1; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}");
        }
        assertRefused(node.post("/v1/batch", project.writeKey(), tooMany.append("]}").toString()), 413, "2501 messages");
    }

    @Test
    void when_a_chunked_body_crosses_the_limit_then_a_client_that_sends_it_all_first_still_reads_the_413() {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 40; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{")
                    .append(manyProperties(900)).append("}}");
        }
        byte[] body = batch.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).as("over the 512000-byte limit, by more than the server reads ahead").isGreaterThan(800_000);
        for (int i = 0; i < 5; i++) {
            // no declared length: the client streams it chunked, and reads the answer only once it has sent it all
            HttpResponse<String> response = node.send(node.request("/v1/batch", project.writeKey())
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
            assertRefused(response, 413, "larger than the limit");
        }
    }

    @Test
    void when_the_body_is_a_gzip_bomb_or_not_gzip_then_it_is_refused() {
        String zeros = "{\"batch\":[" + " ".repeat(10 * 1024 * 1024) + "]}";
        assertRefused(node.postGzip("/v1/batch", project.writeKey(), zeros), 413, "(uncompressed)");
        HttpResponse<String> notGzip = node.send(node.request("/v1/batch", project.writeKey())
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofString(OK_TRACK)).build());
        assertRefused(notGzip, 400, "not valid gzip");
        HttpResponse<String> brotli = node.send(node.request("/v1/track", project.writeKey())
                .header("Content-Encoding", "br").POST(HttpRequest.BodyPublishers.ofString(OK_TRACK)).build());
        assertRefused(brotli, 415, "not supported");
    }

    @Test
    void when_a_100_mb_body_streams_in_then_it_is_cut_off_early() throws Exception {
        long hundredMb = 100L * 1024 * 1024;
        StreamedRequest declared = stream(hundredMb, true);
        StreamedRequest chunked = stream(hundredMb, false);

        assertThat(declared.statusLine()).contains("413");
        assertThat(chunked.statusLine()).contains("413");
        assertThat(declared.bytesSent()).as("bytes sent before the server stopped reading").isLessThan(hundredMb / 5);
        assertThat(chunked.bytesSent()).as("bytes sent before the server stopped reading").isLessThan(hundredMb / 5);
    }

    @Test
    void when_woopra_parameters_are_invalid_then_400_or_401() {
        String key = URLEncoder.encode(project.writeKey(), StandardCharsets.UTF_8);
        assertRefused(node.get("/track/ce?project=" + key + "&event=play"), 400, "cookie");
        assertRefused(node.get("/track/ce?project=" + key + "&cookie=c1"), 400, "event is required");
        assertRefused(node.get("/track/ce?project=" + key + "&cookie=c1&event=e&timestamp=soon"), 400, "timestamp");
        assertRefused(node.get("/track/ce?project=" + key + "&cookie=c1&event=e&timeout=soon"), 400,
                "timeout must be a number of milliseconds");
        assertRefused(node.get("/track/ping?project=" + key + "&cv_email=%20"), 400, "cookie, cv_id or cv_email");
        assertRefused(node.get("/track/ce?project=example.com&cookie=c1&event=e"), 401, "'project' is 'example.com', which is not a ProfileGrid write key");
    }

    private record StreamedRequest(String statusLine, long bytesSent) {
    }

    /** Streams a never-ending JSON batch over a raw socket until the server answers or stops reading. */
    private StreamedRequest stream(long total, boolean declareLength) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.node().httpPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String auth = Base64.getEncoder().encodeToString((project.writeKey() + ":").getBytes(StandardCharsets.UTF_8));
            out.write(("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Type: application/json\r\n"
                    + (declareLength ? "Content-Length: " + total : "Transfer-Encoding: chunked") + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] chunk = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"},".repeat(1_000).getBytes(StandardCharsets.US_ASCII);
                try {
                    while (sent.get() < total) {
                        if (!declareLength) {
                            out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        }
                        out.write(chunk);
                        if (!declareLength) {
                            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        sent.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // the server closed the connection: it stopped reading
                }
            });
            writer.start();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            socket.shutdownInput();
            writer.join(30_000);
            return new StreamedRequest(line.toString().trim(), sent.get());
        }
    }

    private static String manyProperties(int count) {
        StringBuilder properties = new StringBuilder();
        for (int i = 0; i < count; i++) {
            properties.append(i == 0 ? "" : ",").append("\"property").append(i).append("\":\"value-").append(i).append('"');
        }
        return properties.toString();
    }

    private static void assertRefused(HttpResponse<String> response, int status, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(NodeFixture.json(response.body()).get("success").asBoolean()).isFalse();
        assertThat(NodeFixture.json(response.body()).get("message").asText()).contains(message);
    }
}
