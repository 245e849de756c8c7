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
    private final java.util.List<GridNode> others = new java.util.ArrayList<>();
    private final ProjectStore.Created project;
    private final String clusterName;
    private final int hazelcastPort;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

    BenchNode(String database, IngestSettings ingest) throws IOException {
        this(database, ingest, 1);
    }

    /** The run's own directory (the nodes' spools, H2's files), on the disk the benchmark measures. */
    Path dir() {
        return dir;
    }

    /** {@code size} nodes in one cluster (all in this JVM) over one database; this object drives the first. */
    BenchNode(String database, IngestSettings ingest, int size) throws IOException {
        dir = Files.createTempDirectory("profilegrid-bench");
        boolean postgres = database.equals("postgres");
        schema = postgres ? freshSchema("profilegrid_bench_") : null;
        String url = postgres ? PG_URL : null;
        clusterName = "bench-" + UUID.randomUUID();
        int[] ports = new int[size];
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < size; i++) {
            ports[i] = freePort();
            members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports[i]);
        }
        hazelcastPort = ports[0];
        if (!postgres) {
            url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("profilegrid");
        }
        GridNode first = null;
        for (int i = 0; i < size; i++) {
            NodeSettings settings = new NodeSettings(null, clusterName, "127.0.0.1", ports[i], members.toString(),
                    "127.0.0.1", 0, dir.resolve("n" + i), url, postgres ? PG_USER : "", "", schema, 16, 30, 1, false,
                    ingest, "bench");
            GridNode started = GridNode.start(settings);
            if (first == null) {
                first = started;
            } else {
                others.add(started);
            }
        }
        node = first;
        project = node.projects().create("bench");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + node.httpPort();
    }

    /** Stops the profile job: the node then measures the tracking path alone. */
    void stopProfiles() throws Exception {
        node.stopProfileJob();
    }

    /** The HTTP address of every node. */
    java.util.List<String> baseUrls() {
        java.util.List<String> urls = new java.util.ArrayList<>();
        urls.add(baseUrl());
        others.forEach(other -> urls.add("http://127.0.0.1:" + other.httpPort()));
        return urls;
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

    /** Events the profile job has read from the tracking log (a Jet metric, collected every second here). */
    long eventsRead() {
        var job = node.member().getJet().getJob(com.profilegrid.model.Generation.active(node.member()).jobName());
        return job == null ? 0 : com.profilegrid.node.ProfileJob.eventsRead(job);
    }

    /** What a rebuild of every profile took: to read and fold the whole log, and to the end (switch and database). */
    record Rebuild(long events, double foldSeconds, double totalSeconds) {
    }

    /** Rebuilds every profile through the admin API while nothing else runs, timing it (to about 0.1 s). */
    Rebuild rebuild() throws IOException, InterruptedException {
        java.net.URI uri = java.net.URI.create(baseUrl() + "/admin/rebuild");
        long start = System.nanoTime();
        send(admin(uri).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        long folded = 0;
        while (true) {
            Thread.sleep(100);
            String status = send(admin(uri).GET().build());
            if (folded == 0 && !status.contains("\"CATCHING_UP\"")) {
                folded = System.nanoTime();
            }
            if (status.contains("\"FAILED\"")) {
                throw new IOException("rebuild failed: " + status);
            }
            if (status.contains("\"DONE\"")) {
                long events = foldedEvents();
                return new Rebuild(events, (folded - start) / 1e9, (System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** An admin API call ({@code body} JSON, or {@code null}); fails unless it answers 2xx. */
    String admin(String method, String path, String body) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = http.send(admin(java.net.URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private java.net.http.HttpRequest.Builder admin(java.net.URI uri) {
        return java.net.http.HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + node.adminToken());
    }

    private String send(java.net.http.HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** PostgreSQL only: rows/s of {@code COPY tracking_log TO STDOUT}, the baseline a rebuild is held against. */
    double copyLogRowsPerSecond() throws SQLException, IOException {
        try (Connection connection = DriverManager.getConnection(PG_URL + "?currentSchema=" + schema, PG_USER, "")) {
            org.postgresql.copy.CopyManager copy = connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            long start = System.nanoTime();
            long rows = copy.copyOut("COPY tracking_log TO STDOUT", java.io.OutputStream.nullOutputStream());
            return rows / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Rows the JDBC insert baseline inserts, at most. */
    static final int BASELINE_ROWS = 200_000;

    /**
     * PostgreSQL only: rows/s of plain JDBC batch inserts (500 rows a batch, one transaction each) of the log's own rows
     * into a copy of its table, the baseline end-to-end ingest is held against (the rows are read first; only the
     * inserts are timed). At most the log's first {@link #BASELINE_ROWS} rows: held in this JVM beside the node, a
     * whole log of a million rows ran it out of heap.
     */
    double jdbcInsertRowsPerSecond() throws SQLException {
        try (Connection connection = DriverManager.getConnection(PG_URL + "?currentSchema=" + schema, PG_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE bench_insert_baseline (LIKE tracking_log INCLUDING ALL)");
            java.util.List<Object[]> rows = new java.util.ArrayList<>();
            int columns;
            try (java.sql.ResultSet all = statement.executeQuery(
                    "SELECT * FROM tracking_log ORDER BY shard, seq LIMIT " + BASELINE_ROWS)) {
                columns = all.getMetaData().getColumnCount();
                while (all.next()) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = all.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
            String insert = "INSERT INTO bench_insert_baseline VALUES ("
                    + String.join(", ", java.util.Collections.nCopies(columns, "?")) + ")";
            connection.setAutoCommit(false);
            long start = System.nanoTime();
            try (java.sql.PreparedStatement batch = connection.prepareStatement(insert)) {
                for (int from = 0; from < rows.size(); from += 500) {
                    for (Object[] row : rows.subList(from, Math.min(rows.size(), from + 500))) {
                        for (int i = 0; i < columns; i++) {
                            batch.setObject(i + 1, row[i]);
                        }
                        batch.addBatch();
                    }
                    batch.executeBatch();
                    connection.commit();
                }
            }
            double perSecond = rows.size() / ((System.nanoTime() - start) / 1e9);
            connection.setAutoCommit(true);
            statement.execute("DROP TABLE bench_insert_baseline");
            return perSecond;
        }
    }

    /**
     * Waits until the profile job has read {@code events} events from the log, its read count has not moved for 3 s
     * (with several members it can stop short of the total), or {@code limit} has passed.
     */
    void awaitProfilesRead(long events, java.time.Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        long read = -1;
        long movedAt = System.nanoTime();
        while (read < events && System.nanoTime() - movedAt < 3_000_000_000L && System.nanoTime() < end) {
            long now = eventsRead();
            if (now != read) {
                read = now;
                movedAt = System.nanoTime();
            }
            // a job's metrics are gathered from every member: asked every 100 ms, they were 3% of a CPU recording's
            // samples of the end-to-end run they measure
            Thread.sleep(400);
        }
    }

    /** Events of the bench project folded into profiles so far (the sum of all their counters). */
    long foldedEvents() {
        return com.profilegrid.node.rebuild.EventCount.folded(node.member(), project.projectId());
    }

    /** Tracks one event over HTTP and returns once it is acknowledged. */
    void trackProbe(String userId, String event) throws IOException, InterruptedException {
        post("/v1/track", "{\"userId\":\"" + userId + "\",\"event\":\"" + event + "\"}");
    }

    /** Posts {@code body} to the first node's tracking API under the project's write key; returns once acknowledged. */
    void post(String path, String body) throws IOException, InterruptedException {
        java.net.http.HttpResponse<Void> response = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (project.writeKey() + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(path + " refused: " + response.statusCode());
        }
    }

    @Override
    public void close() throws IOException, SQLException {
        for (GridNode other : others) {
            other.close();
        }
        node.close();
        if (schema != null) {
            dropSchema(schema);
        }
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Removes a benchmark's PostgreSQL schema and all it holds. */
    static void dropSchema(String schema) throws SQLException {
        try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** A fresh schema name for one run on PostgreSQL. */
    static String freshSchema(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
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
