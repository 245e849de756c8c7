package com.profilegrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.node.IngestSettings;
import com.sun.net.httpserver.HttpServer;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code profilegrid-bench rules}: what labels and triggers cost, and how soon a webhook follows its event. Two runs on
 * fresh nodes with the same load (Segment batches of 100 track calls from 100,000 visitors, 16 connections): one
 * without rules, one with {@code --labels} labels and {@code --triggers} webhook triggers (a receiver on 127.0.0.1 in
 * this JVM). Prints the end-to-end ingest rate of each (events folded into profiles per second) and their ratio (goal:
 * with rules at least 80%), then, beside a load at half of the rate with rules, the time from sending an event to its
 * webhook arriving (goal: p99 at most 100 ms).
 */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Ingest with 100 labels and 20 webhook triggers beside ingest without, and event -> webhook latency.")
public final class RulesBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--db", defaultValue = "postgres", description = "h2 or postgres (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = "--seconds", defaultValue = "30", description = "Seconds of load per measured run (default: ${DEFAULT-VALUE}).")
    int seconds;

    /**
     * As long as the profiles benchmark's, for the same reason: after 10 s the JIT compiler still took a quarter of the
     * CPU, and the run without rules, which goes first, was measured colder than the one with them.
     */
    @Option(names = "--warmup-seconds", defaultValue = "40", description = "Unmeasured load first (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--labels", defaultValue = "100", description = "Labels of the project (default: ${DEFAULT-VALUE}).")
    int labels;

    @Option(names = "--triggers", defaultValue = "20", description = "Webhook triggers (default: ${DEFAULT-VALUE}).")
    int triggers;

    /*
     * Two by default: the run that goes first in this JVM pays for compiling the node's code (its compiler threads were
     * a fifth of the machine through the first run and a few percent in the second, 2026-12-07), and with one round that
     * was always the run without rules. The last round's two runs are compared.
     */
    @Option(names = "--rounds", defaultValue = "2", description = "Rounds of a run without rules and one with them, in "
            + "turn, each on a fresh node in this JVM; the last round is compared (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--probes", defaultValue = "200", description = "Events whose webhook is timed (default: ${DEFAULT-VALUE}).")
    int probes;

    private static final Duration PROBE_SPACING = Duration.ofMillis(50);

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--rounds must be at least 1, not " + rounds);
        }
        Measured without = null;
        Measured with = null;
        for (int round = 1; round <= rounds; round++) {
            if (rounds > 1) {
                System.out.printf("%-9s round %d of %d%s%n", database, round, rounds,
                        round < rounds ? " (warms this JVM's compiler; the last round is compared)" : "");
            }
            without = run(false, false);
            with = run(true, round == rounds);
        }
        System.out.printf("%-9s with %d labels and %d triggers, ingest runs at %.0f%% of its rate without rules "
                + "(goal: at least 80%%)%n", database, labels, triggers, 100 * with.rate() / without.rate());
        // the rates move by half from hour to hour on a shared machine; the work per event does not, and on a machine
        // that the load keeps busy the rate follows it
        System.out.printf("%-9s the machine's CPU per event (node, database, load and receiver; the webhooks' backlog "
                        + "included): %.0f us without rules, %.0f us with them; at the same CPU, ingest with rules would "
                        + "run at %.0f%% of its rate without%n", database, without.machineMicrosPerEvent(),
                with.machineMicrosPerEvent(), 100 * without.machineMicrosPerEvent() / with.machineMicrosPerEvent());
        return 0;
    }

    /** One run's end-to-end rate, and the CPU the whole machine spent per event of it. */
    private record Measured(double rate, double machineMicrosPerEvent) {
    }

    /** One run on a fresh node: its end-to-end rate and CPU per event, and with rules and {@code probe} the webhook latency. */
    private Measured run(boolean rules, boolean probe) throws Exception {
        String what = rules ? "with rules" : "no rules";
        try (BenchNode node = new BenchNode(database, IngestSettings.DEFAULTS.withProjectRate(10_000_000, 10_000_000));
             Receiver receiver = new Receiver()) {
            if (rules) {
                define(node, receiver);
            }
            List<SegmentLoad> loads = List.of(new SegmentLoad(node.baseUrl(), node.writeKey(), 100,
                    UUID.randomUUID().toString(), 32));
            long warm = 0;
            if (warmupSeconds > 0) {
                ProfilesBenchmark.drive(loads, Duration.ofSeconds(warmupSeconds));
                warm = loads.get(0).accepted();
                ProfilesBenchmark.awaitFolded(node, warm);
                if (rules) {
                    // the warm-up's webhooks are delivered before the measured run starts, so that the run (its rate,
                    // its CPU) carries its own webhooks only, not the warm-up's backlog
                    awaitQuiet(receiver);
                }
            }
            long firedBefore = receiver.received.sum();
            long start = System.nanoTime();
            long busyStart = ProfilesBenchmark.machineBusyNanos();
            ProfilesBenchmark.drive(loads, Duration.ofSeconds(seconds));
            long sent = loads.get(0).accepted() - warm;
            ProfilesBenchmark.awaitFolded(node, warm + sent);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rate = sent / elapsed;
            System.out.printf("%-9s %-10s %d events folded into profiles in %.1f s: %.0f events/s; %d webhooks received "
                    + "meanwhile%n", database, what, sent, elapsed, rate, receiver.received.sum() - firedBefore);
            if (rules) {
                drain(receiver, warm + sent);
            }
            double busyMicrosPerEvent = (ProfilesBenchmark.machineBusyNanos() - busyStart) / 1e3 / sent;
            if (rules && probe && probes > 0) {
                latency(node, loads.get(0), receiver, rate / 2);
            }
            return new Measured(rate, busyMicrosPerEvent);
        }
    }

    /** The project's rules ({@link BenchmarkRules}), every trigger's webhook the receiver. */
    private void define(BenchNode node, Receiver receiver) throws Exception {
        String base = "/admin/projects/" + node.projectId();
        for (int i = 0; i < labels; i++) {
            node.admin("POST", base + "/labels", "{\"name\": \"label-" + i + "\", \"rule\": "
                    + BenchmarkRules.labelRule(i) + "}");
        }
        String webhook = BenchmarkRules.webhook(receiver.url());
        for (int t = 0; t < triggers; t++) {
            node.admin("POST", base + "/triggers", "{\"name\": \"" + BenchmarkRules.triggerName(t) + "\", \"on\": "
                    + BenchmarkRules.triggerOn(t) + ", " + webhook + "}");
        }
        // the definitions reach every member's rule book through map listeners, and each new label's backfill runs
        Thread.sleep(2_000);
    }

    /**
     * Waits until the webhooks of the run stop arriving (none for 5 s; 10 min at most): the delivery rate, and the
     * webhooks the {@code events} of the run made per event.
     */
    private void drain(Receiver receiver, long events) throws InterruptedException {
        long start = System.nanoTime();
        long before = receiver.received.sum();
        long quietSince = awaitQuiet(receiver);
        long last = receiver.received.sum();
        double seconds = (quietSince - start) / 1e9;
        System.out.printf("%-9s the backlog of webhooks: %d more delivered in %.1f s after the load stopped (%.0f/s); "
                + "%.2f webhooks per event of the run, warm-up included%n", database, last - before, seconds,
                (last - before) / Math.max(0.001, seconds), (double) last / Math.max(1, events));
    }

    /** Returns when no webhook arrived for 5 s (10 min at most): when the last one arrived (nanos). */
    private static long awaitQuiet(Receiver receiver) throws InterruptedException {
        long start = System.nanoTime();
        long last = receiver.received.sum();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 5_000_000_000L && System.nanoTime() - start < 600_000_000_000L) {
            Thread.sleep(250);
            long now = receiver.received.sum();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
        return quietSince;
    }

    /** Probes (a Probe event each, fired by the probe trigger) beside a paced load: send -> webhook received. */
    private void latency(BenchNode node, SegmentLoad load, Receiver receiver, double rate) throws Exception {
        Duration paced = Duration.ofMillis(5_000 + probes * PROBE_SPACING.toMillis());
        Thread background = new Thread(() -> {
            try {
                load.atFixedRate(rate, paced, 256);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        background.start();
        Thread.sleep(5_000);
        // the floor under the ack: what the disk gave a durable write of its own meanwhile
        FsyncProbe disk = new FsyncProbe(node.dir());
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> sentWallMs = new ConcurrentHashMap<>();
        for (int i = 0; i < probes; i++) {
            long next = System.nanoTime() + PROBE_SPACING.toNanos();
            String messageId = "probe-" + UUID.randomUUID();
            sentAt.put(messageId, System.nanoTime());
            sentWallMs.put(messageId, System.currentTimeMillis());
            node.post("/v1/track", "{\"userId\":\"probe-" + i + "\",\"event\":\"Probe\",\"messageId\":\"" + messageId + "\"}");
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        }
        String fsync = disk.stopAndDescribe();
        background.join();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!receiver.probes.keySet().containsAll(sentAt.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Histogram webhook = new Histogram(600_000_000L, 3);
        Histogram decided = new Histogram(600_000L, 3);
        Histogram delivered = new Histogram(600_000L, 3);
        sentAt.forEach((messageId, at) -> {
            Long received = receiver.probes.get(messageId);
            if (received != null) {
                webhook.recordValue(Math.max(1, (received - at) / 1_000));
                long[] fired = receiver.probeTimes.get(messageId);
                decided.recordValue(Math.max(0, fired[0] - sentWallMs.get(messageId)));
                delivered.recordValue(Math.max(0, fired[1] - fired[0]));
            }
        });
        System.out.printf("%-9s event -> webhook received (HTTP ack + pipeline + firing + delivery) beside a load at %.0f "
                        + "events/s: p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d of %d probes received; goal p99 <= 100 ms)%n",
                database, rate, webhook.getValueAtPercentile(50) / 1000.0, webhook.getValueAtPercentile(99) / 1000.0,
                webhook.getMaxValue() / 1000.0, webhook.getTotalCount(), probes);
        // the webhook's firedAt (when the member decided the firing, before writing it) splits the path in two
        System.out.printf("%-9s   of which event sent -> firing decided (ack, log, pipeline): p50 %d ms  p99 %d ms; "
                        + "firing decided -> webhook received (durable write, claim, attempt): p50 %d ms  p99 %d ms%n",
                database, decided.getValueAtPercentile(50), decided.getValueAtPercentile(99),
                delivered.getValueAtPercentile(50), delivered.getValueAtPercentile(99));
        System.out.printf("%-9s   the disk meanwhile, a 4 KB write and its flush every 10 ms: %s%n", database, fsync);
    }

    /** A webhook receiver on 127.0.0.1: counts what arrives, and when each probe's firing did. */
    private static final class Receiver implements AutoCloseable {
        final LongAdder received = new LongAdder();
        final Map<String, Long> probes = new ConcurrentHashMap<>();
        /** Per probe: its firing's firedAt and the wall time it was received, epoch ms. */
        final Map<String, long[]> probeTimes = new ConcurrentHashMap<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(16);

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
            server.createContext("/hook", exchange -> {
                long at = System.nanoTime();
                byte[] body = exchange.getRequestBody().readAllBytes();
                received.increment();
                // only a probe's body is parsed: the receiver shares the cores with the node it measures
                JsonNode firing = contains(body, PROBE) ? JSON.readTree(body) : null;
                if (firing != null && "probe".equals(firing.path("trigger").asText())) {
                    String messageId = firing.at("/cause/messageId").asText();
                    probeTimes.putIfAbsent(messageId, new long[] {
                            java.time.Instant.parse(firing.path("firedAt").asText()).toEpochMilli(),
                            System.currentTimeMillis()});
                    probes.putIfAbsent(messageId, at); // after its times, which are read once it is here
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.setExecutor(threads);
            server.start();
        }

        private static final byte[] PROBE = "\"trigger\":\"probe\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        private static boolean contains(byte[] body, byte[] part) {
            outer:
            for (int i = 0; i + part.length <= body.length; i++) {
                for (int j = 0; j < part.length; j++) {
                    if (body[i + j] != part[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
