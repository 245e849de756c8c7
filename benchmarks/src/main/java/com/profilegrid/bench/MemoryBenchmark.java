package com.profilegrid.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.ProfileKeySerializer;
import com.profilegrid.model.ProfileSerializer;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.ProfileStateSerializer;
import com.profilegrid.pipelines.state.StatePipeline;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid-bench memory}: how the heap a node spends on profiles grows with the number of visitors. One node
 * in a JVM of its own ({@code bin/profilegrid node} with {@code -Xmx}), PostgreSQL (or H2); visitors each send an
 * identify and four tracks, every second one merging an anonymous id into its user. After every step it prints the
 * heap after a full GC (per profile held in memory: the profile-state map's entries), profiles in memory and on the
 * database, the bytes each map holds, and the end-to-end rate;
 * it stops early when the node dies (out of memory).
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
        description = "Heap per profile as visitors grow, on one node with a small heap (a JVM of its own).")
final class MemoryBenchmark implements Callable<Integer> {

    @Option(names = "--visitors", defaultValue = "1000000", description = "Visitors in all (default: ${DEFAULT-VALUE}).")
    int visitors;

    @Option(names = "--step", defaultValue = "50000", description = "Visitors between measurements (default: ${DEFAULT-VALUE}).")
    int step;

    @Option(names = "--heap", defaultValue = "1g", description = "The node's -Xmx (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--db", defaultValue = "postgres", description = "postgres or h2 (default: ${DEFAULT-VALUE}).")
    String database;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("profilegrid-bench-memory");
        boolean postgres = database.equals("postgres");
        String schema = postgres ? BenchNode.freshSchema("profilegrid_mem_") : null;
        String cluster = "bench-memory-" + UUID.randomUUID();
        int hazelcastPort = BenchNode.freePort();
        int httpPort = BenchNode.freePort();
        List<String> flags = new ArrayList<>(List.of("--cluster-name", cluster, "--hazelcast-port",
                Integer.toString(hazelcastPort), "--http-port", Integer.toString(httpPort), "--data-dir",
                dir.resolve("node").toString(), "--admin-token", "bench", "--db-url", postgres ? BenchNode.PG_URL : h2Url(dir)));
        if (postgres) {
            flags.addAll(List.of("--db-user", BenchNode.PG_USER, "--db-schema", schema));
        }
        try (ChildNode node = ChildNode.start(dir, heap, flags.toArray(String[]::new))) {
            String base = "http://127.0.0.1:" + httpPort;
            node.awaitReady(base);
            VisitorLoad load = new VisitorLoad(base, ChildNode.createProject(base, "bench", "memory"));
            ClientConfig config = new ClientConfig().setClusterName(cluster).setProperty("hazelcast.logging.type", "slf4j");
            config.getNetworkConfig().addAddress("127.0.0.1:" + hazelcastPort);
            // the node may die (that is what this measures): give up reconnecting soon
            config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(10_000);
            config.getSerializationConfig().getCompactSerializationConfig()
                    .addSerializer(new ProfileKeySerializer()).addSerializer(new ProfileSerializer())
                    .addSerializer(new ProfileStateSerializer());
            HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
            try {
                IMap<ProfileKey, Profile> profiles = client.getMap(GridMaps.PROFILES);
                // every profile in memory is in the state map; the readers' map caches only what was read
                IMap<ProfileKey, ProfileState> states = client.getMap(StatePipeline.Maps.STATES);
                System.out.printf("%-9s heap %s%n%10s %10s %12s %12s %12s %12s %10s%n", database, heap, "visitors",
                        "events", "in memory", "in database", "heap MB", "bytes/prof", "events/s");
                long baseHeap = node.heapAfterGc();
                System.out.printf("heap after GC before any visitor: %.0f MB; bytes/prof is the growth since, per "
                        + "profile in memory%n", baseHeap / 1e6);
                long start = System.nanoTime();
                int sent = 0;
                while (sent < visitors && node.alive()) {
                    int next = Math.min(visitors, sent + step);
                    if (!load.send(sent, next, node)) {
                        break;
                    }
                    sent = next;
                    long events = 5L * sent;
                    if (!awaitRead(client, events, node)) {
                        break;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long heapBytes = node.heapAfterGc();
                    long inMemory = states.size();
                    long inDatabase = rows(postgres, schema, dir);
                    System.out.printf("%10d %10d %12d %12d %12.0f %12.0f %10.0f%n", sent, events, inMemory, inDatabase,
                            heapBytes / 1e6, inMemory == 0 ? 0.0 : (double) (heapBytes - baseHeap) / inMemory, events / seconds);
                }
                if (node.alive() && sent > 0) {
                    mapBreakdown(base, states.size());
                    probes(load, profiles, states, client, sent, node);
                }
                if (!node.alive()) {
                    System.out.printf("the node died: %s%n", node.lastLines());
                }
            } finally {
                client.shutdown();
            }
        }
        return 0;
    }

    /**
     * Event to profile visible, for visitors seen long ago; and reads of profiles that are only in the database (not in
     * memory), if eviction left any.
     */
    private static void probes(VisitorLoad load, IMap<ProfileKey, Profile> profiles, IMap<ProfileKey, ProfileState> states,
                               HazelcastInstance client, int sent, ChildNode node) throws Exception {
        String project = states.keySet().iterator().next().project();
        Histogram event = new Histogram(60_000_000L, 3);
        Histogram coldRead = new Histogram(60_000_000L, 3);
        for (int i = 0; i < 50 && node.alive(); i++) {
            int visitor = (int) ((long) i * sent / 50);
            ProfileKey key = new ProfileKey(project, "user:user-" + visitor);
            if (states.getEntryView(key) == null) {
                long t0 = System.nanoTime();
                profiles.get(key);
                coldRead.recordValue((System.nanoTime() - t0) / 1_000);
            }
            long t0 = System.nanoTime();
            load.probe(visitor, i, node);
            String name = "Probe " + i;
            while (node.alive()) {
                Profile profile = profiles.get(key);
                if (profile != null && profile.eventCounts().containsKey(name)) {
                    break;
                }
                Thread.onSpinWait();
            }
            event.recordValue((System.nanoTime() - t0) / 1_000);
        }
        System.out.printf("event -> profile visible (old visitors): p50 %.1f ms  p99 %.1f ms  (%d probes)%n",
                event.getValueAtPercentile(50) / 1e3, event.getValueAtPercentile(99) / 1e3, event.getTotalCount());
        System.out.printf(coldRead.getTotalCount() == 0 ? "no probed profile was out of memory: nothing to read from the database%n"
                        : "read of a profile only in the database: p50 %.2f ms  p99 %.2f ms  (%d reads)%n",
                coldRead.getValueAtPercentile(50) / 1e3, coldRead.getValueAtPercentile(99) / 1e3, coldRead.getTotalCount());
    }

    /** Per map: entries (owned and backup) and the bytes Hazelcast counts for them, per profile held in memory. */
    private static void mapBreakdown(String base, long inMemory) throws Exception {
        System.out.printf("%-24s %12s %12s %12s%n", "map (owned + backup)", "entries", "MB", "bytes/prof");
        long total = 0;
        for (var map : ChildNode.mapFigures(base).entrySet()) {
            long[] figures = map.getValue();
            total += figures[1];
            System.out.printf("%-24s %12d %12.1f %12.0f%n", map.getKey(), figures[0], figures[1] / 1e6,
                    (double) figures[1] / Math.max(1, inMemory));
        }
        System.out.printf("%-24s %12s %12.1f %12.0f%n", "all maps", "", total / 1e6, (double) total / Math.max(1, inMemory));
    }

    /** Waits until the profile job has read {@code events} (or the node died, or it stalled for a minute). */
    private static boolean awaitRead(HazelcastInstance client, long events, ChildNode node) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (node.alive()) {
            Job job = client.getJet().getJob(Generation.active(client).jobName());
            long read = job == null ? 0 : ProfileJob.eventsRead(job);
            if (read >= events) {
                return true;
            }
            if (read != last) {
                last = read;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > Duration.ofMinutes(1).toNanos()) {
                System.out.printf("the profile job stalled at %d of %d events%n", read, events);
                return false;
            }
            Thread.sleep(500);
        }
        return false;
    }

    private static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }

    private static long rows(boolean postgres, String schema, Path dir) throws Exception {
        String url = postgres ? BenchNode.PG_URL : h2Url(dir);
        try (Connection connection = DriverManager.getConnection(url, postgres ? BenchNode.PG_USER : "", "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + (postgres ? schema + "." : "") + "current_profiles")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
