package com.profilegrid.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid-bench roles}: ack latency at half of capacity, with the profile side saturated, for the two ways
 * to run a node on one machine, in one run on PostgreSQL: one {@code --role all} node (today's single role, both
 * cores), and a {@code --role tracking} node beside a {@code --role profiles} node, each a JVM of its own pinned to a
 * core of its own with {@code taskset}. Each setup gets a fresh schema; the load (the ingest benchmark's Segment
 * batches) goes as fast as it can first, which leaves the profile job a backlog it digests through the paced run at
 * half the measured maximum; the profiles' lag before and after the paced run shows that it was saturated. Two more
 * setups explain the split one: the same with the profiles node at {@code nice 19} (PostgreSQL, unpinned, then gets
 * the CPU before it), and the tracking node alone (its profiles node stopped after the project was made). Beside each
 * paced run, what the disk gave a durable write meanwhile ({@link FsyncProbe}): no acknowledgement, which waits on
 * such a write, can have a shorter tail.
 */
@Command(name = "roles", mixinStandardHelpOptions = true,
        description = "Ack latency at half of capacity: one --role all node against a tracking node and a saturated "
                + "profiles node, each pinned to a core of its own (taskset), PostgreSQL.")
final class RolesBenchmark implements Callable<Integer> {

    private static final String ADMIN_TOKEN = "bench";
    private static final String LAG_METRIC = "profilegrid_pipeline_lag_events";

    @Option(names = "--seconds", defaultValue = "30", description = "Length of each measured run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Mixin
    LoadOptions load;

    @Option(names = "--tracking-cpu", defaultValue = "0", description = "The tracking node's core (default: ${DEFAULT-VALUE}).")
    String trackingCpu;

    @Option(names = "--profiles-cpu", defaultValue = "1", description = "The profiles node's core (default: ${DEFAULT-VALUE}).")
    String profilesCpu;

    @Option(names = "--heap", defaultValue = "2g", description = "-Xmx of the all and the profiles node (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--tracking-heap", defaultValue = "512m", description = "-Xmx of the tracking node (default: ${DEFAULT-VALUE}).")
    String trackingHeap;

    @Option(names = "--tracking-jvm-opts", defaultValue = "", description = "More JVM flags for the tracking node (GC "
            + "choice, GC logs).")
    String trackingJvmOpts;

    @Option(names = "--tracking-flags", defaultValue = "", description = "More node flags for the tracking node "
            + "(e.g. --log-wait-ms 50).")
    String trackingFlags;

    @Option(names = "--only", description = "Setups to run, comma-separated (default: all of them): all (one --role all "
            + "node), split (a tracking and a profiles node, a core each), split-nice (the same with the profiles node at "
            + "nice 19), tracking (the tracking node with its profiles node stopped: its own latency).")
    String only;

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Integer call() throws Exception {
        System.out.printf("ProfileGrid roles benchmark: HTTP /v1/batch (%d analytics.js track calls per batch), PostgreSQL, "
                + "%d cores; the load generator runs in this JVM, unpinned%n", load.batch, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-34s %-22s %12s %9s %9s %9s  %-12s %s%n", "setup", "run", "events/s", "p50 ms", "p99 ms",
                "p99.9 ms", "answers", "profile lag (events) before -> after; PostgreSQL checkpoints and the disk's fsync in the run");
        List<String> setups = only == null ? List.of("all", "split", "split-nice", "tracking") : List.of(only.split(","));
        for (String name : setups) {
            try (Setup setup = new Setup()) {
                switch (name) {
                    case "all" -> {
                        String url = setup.start("all", List.of(), ChildNode.heapFlags(heap));
                        measure("one node, --role all (both cores)", setup, url,
                                ChildNode.createProject(url, ADMIN_TOKEN, "roles"), url);
                    }
                    case "split", "split-nice" -> {
                        boolean nice = name.equals("split-nice");
                        Split split = startSplit(setup, nice);
                        measure(String.format("tracking (cpu %s) + profiles (cpu %s%s)", trackingCpu, profilesCpu,
                                nice ? ", nice" : ""), setup, split.tracking(), split.writeKey(), split.profiles());
                    }
                    case "tracking" -> {
                        Split split = startSplit(setup, false);
                        setup.stop(0);
                        measure(String.format("tracking (cpu %s), no profiles", trackingCpu), setup, split.tracking(),
                                split.writeKey(), null);
                    }
                    default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "--only: all, split, split-nice or tracking, not " + name);
                }
            }
        }
        return 0;
    }

    /** A profiles node and a tracking node, each on its core, and the write key of a project made on them. */
    private record Split(String profiles, String tracking, String writeKey) {
    }

    private Split startSplit(Setup setup, boolean nice) throws Exception {
        String profiles = setup.start("profiles", profilesPlacement(nice), ChildNode.heapFlags(heap));
        String writeKey = ChildNode.createProject(profiles, ADMIN_TOKEN, "roles");
        String tracking = setup.start("tracking", List.of("taskset", "-c", trackingCpu), trackingJvmFlags());
        return new Split(profiles, tracking, writeKey);
    }

    /** The profiles node on its core; {@code nice}: at the lowest CPU priority, below the tracking node and PostgreSQL. */
    private List<String> profilesPlacement(boolean nice) {
        List<String> wrapper = new ArrayList<>(List.of("taskset", "-c", profilesCpu));
        if (nice) {
            wrapper.addAll(List.of("nice", "-n", "19"));
        }
        return wrapper;
    }

    private List<String> trackingJvmFlags() {
        List<String> flags = new ArrayList<>(ChildNode.heapFlags(trackingHeap));
        flags.addAll(words(trackingJvmOpts));
        return flags;
    }

    /** The words of a flags option ({@code --tracking-jvm-opts}, {@code --tracking-flags}); none when it is blank. */
    private static List<String> words(String option) {
        return option.isBlank() ? List.of() : List.of(option.strip().split("\\s+"));
    }

    /** The fast run and the paced one against {@code trackingUrl}; the lag is read from {@code profilesUrl} unless null. */
    private void measure(String name, Setup setup, String trackingUrl, String writeKey, String profilesUrl) throws Exception {
        SegmentLoad sender = load.start(trackingUrl, writeKey);
        SegmentLoad.Result max = load.asFastAsPossible(sender, seconds);
        IngestBenchmark.print(String.format("%-34s", name), "max, " + load.connections + " conn.", max, "");
        double fixed = load.pacedRate(max);
        long lagBefore = profilesUrl == null ? 0 : lag(profilesUrl);
        long checkpointsBefore = checkpoints();
        SegmentLoad.Result paced;
        String fsync;
        try (FsyncProbe disk = new FsyncProbe(setup.dir)) {
            paced = load.atFixedRate(sender, fixed, seconds);
            fsync = disk.stopAndDescribe();
        }
        long lagAfter = profilesUrl == null ? 0 : lag(profilesUrl);
        IngestBenchmark.print(String.format("%-34s", name), String.format("fixed %.0f/s", fixed), paced,
                (profilesUrl == null ? "" : String.format("%,d -> %,d; ", lagBefore, lagAfter))
                        + String.format("%d checkpoint(s); %s", checkpoints() - checkpointsBefore, fsync));
        setup.checkAlive();
    }

    /**
     * Checkpoints PostgreSQL has started: while one syncs its files, every commit's WAL flush (and any other fsync on
     * the same disk, the spool's too) can wait hundreds of milliseconds, whatever the node does.
     */
    private static long checkpoints() throws SQLException {
        try (Connection connection = DriverManager.getConnection(BenchNode.PG_URL, BenchNode.PG_USER, "");
             Statement statement = connection.createStatement()) {
            String query = connection.getMetaData().getDatabaseMajorVersion() >= 17
                    ? "SELECT num_timed + num_requested FROM pg_stat_checkpointer"
                    : "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter";
            try (ResultSet row = statement.executeQuery(query)) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The profiles' lag: events in the log the profile job has not applied, from the node's Prometheus endpoint. */
    private long lag(String profilesUrl) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(profilesUrl + "/metrics")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return (long) metrics.lines().filter(line -> line.startsWith(LAG_METRIC + "{") || line.startsWith(LAG_METRIC + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** The nodes of one setup, on a fresh schema of their own; closing stops them and drops the schema. */
    private final class Setup implements AutoCloseable {

        private final Path dir = Files.createTempDirectory("profilegrid-bench-roles");
        private final String schema = BenchNode.freshSchema("profilegrid_roles_");
        private final String cluster = "bench-roles-" + UUID.randomUUID();
        private final List<ChildNode> nodes = new ArrayList<>();

        Setup() throws IOException {
        }

        /** Starts a node of the given role under {@code wrapper} (taskset, nice) and waits until it is ready; its URL. */
        String start(String role, List<String> wrapper, List<String> jvmFlags) throws Exception {
            int httpPort = BenchNode.freePort();
            Path nodeDir = Files.createDirectories(dir.resolve(role));
            List<String> flags = new ArrayList<>(List.of("--role", role, "--cluster-name", cluster, "--http-port",
                    Integer.toString(httpPort), "--data-dir", nodeDir.resolve("data").toString(), "--admin-token", ADMIN_TOKEN,
                    "--db-url", BenchNode.PG_URL, "--db-user", BenchNode.PG_USER, "--db-schema", schema,
                    "--project-rate", "10000000", "--project-burst", "10000000", "--max-inflight", "256"));
            if (role.equals("tracking")) {
                flags.addAll(words(trackingFlags));
            }
            if (!role.equals("tracking")) {
                int hazelcastPort = BenchNode.freePort();
                flags.addAll(List.of("--hazelcast-port", Integer.toString(hazelcastPort), "--members",
                        "127.0.0.1:" + hazelcastPort));
            }
            ChildNode node = ChildNode.start(nodeDir, jvmFlags, wrapper, flags.toArray(String[]::new));
            nodes.add(node);
            String url = "http://127.0.0.1:" + httpPort;
            node.awaitReady(url);
            return url;
        }

        /** Stops the {@code index}th node started (it is then left out of the liveness check). */
        void stop(int index) throws InterruptedException {
            nodes.remove(index).close();
        }

        void checkAlive() throws IOException {
            for (ChildNode node : nodes) {
                if (!node.alive()) {
                    throw new IllegalStateException("a node died during the run: " + node.lastLines());
                }
            }
        }

        @Override
        public void close() throws Exception {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            BenchNode.dropSchema(schema);
            BenchNode.deleteTree(dir);
        }
    }
}
