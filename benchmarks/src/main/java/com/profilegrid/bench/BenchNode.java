package com.profilegrid.bench;

import com.profilegrid.node.GridNode;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeSettings;
import com.profilegrid.node.project.ProjectStore;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** A grid node in this JVM on a fresh database, for one benchmark run; closing it removes what it made. */
final class BenchNode implements AutoCloseable {

    static final String PG_URL = env("PROFILEGRID_BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = env("PROFILEGRID_BENCH_PG_USER", "postgres");

    private final Path dir;
    private final String schema;
    private final GridNode node;
    private final ProjectStore.Created project;
    private final String clusterName;
    private final int hazelcastPort;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    BenchNode(String database, IngestSettings ingest) throws IOException {
        dir = Files.createTempDirectory("profilegrid-bench");
        boolean postgres = database.equals("postgres");
        schema = postgres ? "profilegrid_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) : null;
        String url = postgres ? PG_URL + "?reWriteBatchedInserts=true" : null;
        clusterName = "bench-" + UUID.randomUUID();
        hazelcastPort = freePort();
        NodeSettings settings = new NodeSettings(null, clusterName, "127.0.0.1", hazelcastPort, null,
                "127.0.0.1", 0, dir, url, postgres ? PG_USER : "", "", schema, 16, 30, 1, false, ingest, "bench");
        node = GridNode.start(settings);
        project = node.projects().create("bench");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + node.httpPort();
    }

    String writeKey() {
        return project.writeKey();
    }

    String projectId() {
        return project.projectId();
    }

    String clusterName() {
        return clusterName;
    }

    String memberAddress() {
        return "127.0.0.1:" + hazelcastPort;
    }

    com.hazelcast.core.HazelcastInstance member() {
        return node.member();
    }

    /** Events of the bench project folded into profiles so far (the sum of all their counters). */
    long foldedEvents() {
        Long sum = node.profiles().aggregate(new CounterSum(project.projectId()));
        return sum == null ? 0 : sum;
    }

    /** Tracks one event over HTTP and returns once it is acknowledged. */
    void trackProbe(String userId, String event) throws IOException, InterruptedException {
        String body = "{\"userId\":\"" + userId + "\",\"event\":\"" + event + "\"}";
        java.net.http.HttpResponse<Void> response = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/v1/track"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (project.writeKey() + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("probe refused: " + response.statusCode());
        }
    }

    @Override
    public void close() throws IOException, SQLException {
        node.close();
        if (schema != null) {
            try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, "");
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
