package com.profilegrid.bench;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.IngestSettings;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid-bench profiles}: end to end on one in-process node — events/s from HTTP ingest until
 * every event is folded into its profile, event-to-profile latency (a probe event tracked while the load
 * runs, timed until a reader sees it), and SDK profile reads with the near cache warm and without it.
 */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "End-to-end ingest -> profiles throughput, event-to-profile latency, SDK read latency.")
final class ProfilesBenchmark implements Callable<Integer> {

    @Option(names = "--db", defaultValue = "h2", description = "h2 or postgres (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = "--events", defaultValue = "200000", description = "Events to ingest (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--nodes", defaultValue = "1", description = "Nodes in the cluster, all in this JVM (default: ${DEFAULT-VALUE}).")
    int nodes;

    /*
     * 40 s by default: after 10 s the JIT compiler still took a quarter of this JVM's CPU through the measured run
     * (2026-12-07), and the load has not yet come round its 100,000 visitors, so every measured event was a visitor's
     * first (an identity step and its decisions each). After 40 s the visitors come back, as they do to a node that
     * has run for a while.
     */
    @Option(names = "--warmup", defaultValue = "40", description = "Seconds of the same load before the measured run, "
            + "not measured (default: ${DEFAULT-VALUE}; 0 measures from a cold JVM, every visitor new).")
    int warmupSeconds;

    @Option(names = "--visitor-run", defaultValue = "1", description = "Events each visitor sends in a row when its "
            + "turn comes among the 100,000 (default: ${DEFAULT-VALUE}, one each; 10 puts a visitor's events together in "
            + "the log, as a session does, so a batch of the pipeline meets each profile ten times).")
    int visitorRun;

    @Option(names = "--probes", defaultValue = "200", description = "Event-to-profile latency probes (default: ${DEFAULT-VALUE}).")
    int probes;

    /** A paced load runs this long before the first probe. */
    private static final Duration PROBE_WARMUP = Duration.ofSeconds(3);
    /** One probe starts this long after the one before (or when it is seen, if later). */
    private static final Duration PROBE_SPACING = Duration.ofMillis(100);

    @Override
    public Integer call() throws Exception {
        IngestSettings ingest = IngestSettings.DEFAULTS.withMaxInFlight(256).withProjectRate(10_000_000, 10_000_000);
        try (BenchNode node = new BenchNode(database, ingest, nodes)) {
            HazelcastInstance member = node.member();
            IMap<ProfileKey, Profile> profiles = member.getMap(GridMaps.PROFILES);
            int batch = 100;
            List<SegmentLoad> loads = new java.util.ArrayList<>();
            for (String url : node.baseUrls()) {
                loads.add(new SegmentLoad(url, node.writeKey(), batch, UUID.randomUUID().toString(), 32, visitorRun));
            }
            long warm = 0;
            if (warmupSeconds > 0) {
                // the same load, unmeasured, until the JIT has compiled the hot paths: a node runs for days, and its
                // first seconds (a sixth of a 50 s run went to the compiler) are not what it sustains
                drive(loads, Duration.ofSeconds(warmupSeconds));
                warm = loads.stream().mapToLong(SegmentLoad::accepted).sum();
                awaitFolded(node, warm);
                System.out.printf("%-9s warm-up: %d events over %d s, not measured%n", database, warm, warmupSeconds);
            }
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            drive(loads, Duration.ofSeconds(Math.max(1, events / 20_000)));
            long sent = loads.stream().mapToLong(SegmentLoad::accepted).sum() - warm;
            long ingested = System.nanoTime();
            awaitFolded(node, warm + sent);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = processCpuNanos() - cpuStart;
            System.out.printf("%-9s %d node(s) end to end: %d events ingested in %.1f s, all folded into profiles after %.1f s: "
                    + "%.0f events/s%n", database, nodes, sent, (ingested - start) / 1e9, seconds, sent / seconds);
            System.out.printf("%-9s CPU of this JVM (node and load generator): %.1f cores on average, %.0f us per event%n",
                    database, cpu / 1e9 / seconds, cpu / 1e3 / sent);
            if (database.equals("postgres")) {
                double insert = node.jdbcInsertRowsPerSecond();
                System.out.printf("%-9s JDBC batch insert of the same log rows: %.0f rows/s; end to end runs at %.0f%% of it%n",
                        database, insert, 100 * sent / seconds / insert);
            }

            // probes while a paced load runs at half of the end-to-end rate, as the latency target is stated
            double half = sent / seconds / 2;
            Duration paced = Duration.ofMillis(PROBE_WARMUP.toMillis() + probes * PROBE_SPACING.toMillis());
            Thread background = new Thread(() -> {
                try {
                    loads.get(0).atFixedRate(half, paced, 256);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long acceptedBefore = loads.get(0).accepted();
            background.start();
            Thread.sleep(PROBE_WARMUP.toMillis());
            Histogram visible = new Histogram(60_000_000_000L, 3);
            Histogram acked = new Histogram(60_000_000_000L, 3);
            ProfileKey probe = new ProfileKey(node.projectId(), "user:probe");
            // the floor under the ack: what the disk gave a durable write of its own while the probes ran (the log's
            // commit waits on the same kind of flush of the same disk)
            FsyncProbe disk = new FsyncProbe(node.dir());
            for (int i = 0; i < probes; i++) {
                long next = System.nanoTime() + PROBE_SPACING.toNanos();
                String event = "probe-" + i;
                long t0 = System.nanoTime();
                node.trackProbe("probe", event);
                acked.recordValue((System.nanoTime() - t0) / 1_000);
                while (true) {
                    Profile profile = profiles.get(probe);
                    if (profile != null && profile.eventCounts().containsKey(event)) {
                        break;
                    }
                    Thread.onSpinWait();
                }
                visible.recordValue((System.nanoTime() - t0) / 1_000);
                Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
            }
            String fsync = disk.stopAndDescribe();
            background.join();
            long pacedAccepted = loads.get(0).accepted() - acceptedBefore;
            System.out.printf("%-9s event -> profile visible (HTTP ack + pipeline) beside a load at half of that rate "
                            + "(%.0f events/s asked, %.0f accepted): p50 %.2f ms  p99 %.2f ms  (%d probes)%n", database, half,
                    pacedAccepted / (paced.toNanos() / 1e9), visible.getValueAtPercentile(50) / 1000.0,
                    visible.getValueAtPercentile(99) / 1000.0, probes);
            // the ack waits for the log's commit (its disk flush); the rest is the pipeline up to a reader
            System.out.printf("%-9s   of which the HTTP ack (the log's commit): p50 %.2f ms  p99 %.2f ms%n", database,
                    acked.getValueAtPercentile(50) / 1000.0, acked.getValueAtPercentile(99) / 1000.0);
            System.out.printf("%-9s   the disk meanwhile, a 4 KB write and its flush every 10 ms: %s%n", database, fsync);
            // the reads below read the probe's profile: without probes, one event makes it
            int readProbe = probes == 0 ? 1 : 0;
            if (readProbe == 1) {
                node.trackProbe("probe", "probe-read");
            }
            node.awaitProfilesRead(warm + sent + pacedAccepted + probes + readProbe, Duration.ofMinutes(10));

            long rebuildCpuStart = processCpuNanos();
            BenchNode.Rebuild rebuild = node.rebuild();
            long rebuildCpu = processCpuNanos() - rebuildCpuStart;
            System.out.printf("%-9s rebuild from the log: %d events folded in %.1f s (%.0f events/s); done with the switch "
                            + "and the database after %.1f s%n", database, rebuild.events(), rebuild.foldSeconds(),
                    rebuild.events() / rebuild.foldSeconds(), rebuild.totalSeconds());
            System.out.printf("%-9s CPU of the node through the rebuild: %.1f cores on average, %.0f us per event%n",
                    database, rebuildCpu / 1e9 / rebuild.totalSeconds(), rebuildCpu / 1e3 / rebuild.events());
            if (database.equals("postgres")) {
                double copy = node.copyLogRowsPerSecond();
                System.out.printf("%-9s COPY tracking_log TO STDOUT: %.0f rows/s; the rebuild folds at %.0f%% of it%n", database,
                        copy, 100 * rebuild.events() / rebuild.foldSeconds() / copy);
            }

            // reads are timed on a quiet machine: a rebuild leaves the old generation's rows to delete and the new
            // one's to write, and a read sharing two cores with that measures the scheduler more than the read path
            double idle = awaitQuietMachine(Duration.ofSeconds(60));
            System.out.printf("%-9s reads below, on a machine %.0f%% idle over the second before them%n", database, 100 * idle);
            ReadProbe.measure(node.clusterName(), node.memberAddress(), node.baseUrl(), node.writeKey(),
                    node.projectId(), probe.profileId(), database);
            ReadProbe.inOwnJvm(node.clusterName(), node.memberAddress(), node.baseUrl(), node.writeKey(),
                    node.projectId(), probe.profileId(), database + " (a client JVM of its own)");
        }
        return 0;
    }

    /** Runs the loads as fast as they go for {@code duration}, 16 connections in all. */
    static void drive(List<SegmentLoad> loads, Duration duration) throws InterruptedException {
        List<Thread> drivers = new java.util.ArrayList<>();
        for (SegmentLoad load : loads) {
            Thread driver = new Thread(() -> {
                try {
                    load.asFastAsPossible(16 / loads.size(), duration);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            driver.start();
            drivers.add(driver);
        }
        for (Thread driver : drivers) {
            driver.join();
        }
    }

    /** Returns once the project's profiles hold {@code events} events. */
    static void awaitFolded(BenchNode node, long events) throws InterruptedException {
        // counting folded events scans every profile, which would slow what it measures: wait on the job's read
        // count (a metric) first, and only then count
        node.awaitProfilesRead(events, Duration.ofMinutes(10));
        // each count scans every profile on the same cores as the pipeline: wait ten times as long as a count took
        // between counts, so that counting takes at most a tenth of the time it measures (at three times, a CPU
        // recording of a long catch-up with rules had a fifth of the JVM's samples in these counts)
        while (true) {
            long countStart = System.nanoTime();
            if (node.foldedEvents() >= events) {
                return;
            }
            Thread.sleep(Math.max(100, 10 * (System.nanoTime() - countStart) / 1_000_000));
        }
    }

    /**
     * Waits until the whole machine was at least 80% idle over a second (PostgreSQL's work too, from
     * {@code /proc/stat}), for at most {@code max}; answers the idle share of the last second.
     */
    static double awaitQuietMachine(Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            long[] before = cpuTicks();
            Thread.sleep(1_000);
            long[] after = cpuTicks();
            long total = after[0] - before[0];
            double idle = total <= 0 ? 1 : (double) (after[1] - before[1]) / total;
            if (idle >= 0.8 || System.nanoTime() > end) {
                return idle;
            }
        }
    }

    /** The machine's CPU ticks since boot: all of them, and the idle ones (0, 0 where /proc/stat is missing). */
    static long[] cpuTicks() {
        try {
            String[] fields = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            return new long[]{total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
        } catch (java.io.IOException | RuntimeException e) {
            return new long[]{0, 0};
        }
    }

    /**
     * CPU time the whole machine has spent busy since boot (every process: the database's too), from {@code /proc/stat}
     * in its usual ticks of 10 ms; 0 where it is missing.
     */
    static long machineBusyNanos() {
        long[] ticks = cpuTicks();
        return (ticks[0] - ticks[1]) * 10_000_000L;
    }

    /** CPU time this JVM has used, all threads (JIT and GC included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
