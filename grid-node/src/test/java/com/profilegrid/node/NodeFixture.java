package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.node.log.LogTailer;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.awaitility.Awaitility;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** A real grid node (real TCP, real HTTP, real database) for tracking tests, with HTTP helpers. */
public final class NodeFixture implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileGridNode node;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private NodeFixture(ProfileGridNode node) {
        this.node = node;
    }

    public static NodeFixture start(Path dataDir, Database.Settings db, String cluster, IngestSettings ingest) {
        return start(dataDir, db, cluster, ingest, freePort(), null);
    }

    public static NodeFixture start(Path dataDir, Database.Settings db, String cluster, IngestSettings ingest,
                                    int hazelcastPort, String members) {
        return start(settings(dataDir, db, cluster, ingest, hazelcastPort, members));
    }

    /**
     * A node of a cluster of its own on {@code database}, an H2 server a test stops and starts: the log's wait is cut to
     * 500 ms, so that a stopped database turns tracking to the spool at once.
     */
    public static NodeFixture onStoppable(Path dataDir, H2TcpServer database) {
        return start(dataDir, database.settings(), TestClusters.uniqueClusterName(),
                IngestSettings.DEFAULTS.withLogWait(java.time.Duration.ofMillis(500)));
    }

    public static NodeFixture start(NodeSettings settings) {
        return new NodeFixture(ProfileGridNode.start(settings));
    }

    public static NodeSettings settings(Path dataDir, Database.Settings db, String cluster, IngestSettings ingest,
                                        int hazelcastPort, String members) {
        return new NodeSettings(null, cluster, "127.0.0.1", hazelcastPort, members, "127.0.0.1", 0,
                dataDir, db.url(), db.user(), db.password(), db.schema(), 8, 30, 1, false, ingest, "test-admin-token");
    }

    /** The node, a member (of role all or profiles). */
    public GridNode node() {
        if (!(node instanceof GridNode)) {
            throw new IllegalStateException("this fixture runs a " + node.role().flag() + " node, not a member");
        }
        return (GridNode) node;
    }

    /** The node, of any role. */
    public ProfileGridNode started() {
        return node;
    }

    public ProjectStore.Created createProject(String name) {
        return node.projects().create(name);
    }

    public HttpResponse<String> post(String path, String writeKey, String body) {
        return send(request(path, writeKey).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /**
     * Posts as a tracking client does until the node acknowledges: 200 (in the log) or 202 (in the node's spool, moved
     * to the log later; both are safe). A 503 (the node cannot take it right now) is tried again after its Retry-After,
     * at most 30 times; any other answer fails the test.
     */
    public HttpResponse<String> postAcknowledged(String path, String writeKey, String body) throws InterruptedException {
        HttpResponse<String> answer = post(path, writeKey, body);
        for (int attempt = 1; answer.statusCode() == 503 && attempt < 30; attempt++) {
            long seconds = answer.headers().firstValueAsLong("Retry-After").orElse(1);
            Thread.sleep(Math.min(2_000, Math.max(100, seconds * 1_000)));
            answer = post(path, writeKey, body);
        }
        if (answer.statusCode() != 200 && answer.statusCode() != 202) {
            throw new AssertionError("not acknowledged: " + answer.statusCode() + " " + answer.body());
        }
        return answer;
    }

    /**
     * Posts until acknowledged ({@link #postAcknowledged}) and, if the node spooled it (202, the log was slow: a
     * loaded machine), waits until its spool has moved everything into the log: afterwards the log holds the body's
     * events, for tests that compare with the log.
     */
    public HttpResponse<String> postLogged(String path, String writeKey, String body) throws InterruptedException {
        HttpResponse<String> answer = postAcknowledged(path, writeKey, body);
        if (answer.statusCode() == 202) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !node.spool().hasPending());
        }
        return answer;
    }

    public HttpResponse<String> postGzip(String path, String writeKey, String body) {
        return send(request(path, writeKey).header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(body))).build());
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    public HttpResponse<String> postForm(String path, String form) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code method path} on the admin API with the test's admin token, {@code body} as JSON ({@code null}: none). */
    public HttpResponse<String> admin(String method, String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(java.time.Duration.ofSeconds(30))
                .header("Authorization", "Bearer test-admin-token").header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Waits until the rebuild under way is done (at most 2 minutes), failing at once if it failed. */
    public void awaitRebuildDone() {
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode status = json(admin("GET", "/admin/rebuild", null).body());
            if (status.path("state").asText().equals("FAILED")) {
                throw new AssertionError("the rebuild failed: " + status);
            }
            return status.path("state").asText().equals("DONE");
        });
    }

    public HttpRequest.Builder request(String path, String writeKey) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        if (writeKey != null) {
            builder.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
        }
        return builder;
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + node.httpPort() + pathAndQuery);
    }

    /** Everything in the tracking log, every shard, in per-shard order. */
    public List<LogRecord> logRecords() {
        LogTailer tailer = new LogTailer(node.trackingLog(), 10_000);
        List<LogRecord> all = new ArrayList<>();
        List<LogRecord> batch;
        while (!(batch = tailer.poll()).isEmpty()) {
            all.addAll(batch);
        }
        return all;
    }

    /** Posts a Segment batch body ({@code {"batch":[...]}}) to {@code base} with {@code writeKey}; expects 200. */
    public static void postBatch(java.net.http.HttpClient http, String base, String writeKey, String body)
            throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/v1/batch"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new AssertionError("batch answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Ports handed out below the kernel's ephemeral range (Linux: from 32768), see {@link #freePort()}. */
    private static final int FIRST_PORT = 20_000;
    private static final int PORTS = 12_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger((int) (ProcessHandle.current().pid() * 211 % PORTS));

    /**
     * A port free now on 127.0.0.1 for a server a test starts, and not handed out before in this JVM. Taken below the
     * ephemeral range: a port the kernel picked for {@code new ServerSocket(0)} can be picked again for an outgoing
     * connection (members connect to each other from ephemeral ports) before the server that was to use it binds
     * it, which failed a test now and then with "Port [...] is already in use".
     */
    public static int freePort() {
        for (int attempt = 0; attempt < PORTS; attempt++) {
            int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS);
            try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException busy) {
                // taken by another process: try the next
            }
        }
        throw new IllegalStateException("no free port in " + FIRST_PORT + "-" + (FIRST_PORT + PORTS - 1));
    }

    @Override
    public void close() {
        node.close();
    }
}
