package com.profilegrid.bench;

import com.profilegrid.node.IngestSettings;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid-bench ingest}: HTTP ingest into the durable tracking log on one in-process node, as
 * fast as possible and then at a fixed rate (half the measured maximum unless given), on H2 and PostgreSQL.
 * The load generator shares the machine with the node, as a client on the same box would.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest throughput and ack latency (HdrHistogram) over HTTP into the tracking log.")
final class IngestBenchmark implements Callable<Integer> {

    @Option(names = "--db", split = ",", defaultValue = "h2,postgres", description = "Databases to run on (default: ${DEFAULT-VALUE}).")
    List<String> databases;

    @Option(names = "--seconds", defaultValue = "15", description = "Length of each measured run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--without-profiles", description = "Stop the profile job first: measure the tracking path alone.")
    boolean withoutProfiles;

    @Mixin
    LoadOptions load;

    @Override
    public Integer call() throws Exception {
        System.out.printf("ProfileGrid ingest benchmark: HTTP /v1/batch (%d analytics.js track calls per batch) -> durable "
                + "tracking log, one node in this JVM%s, %d cores%n", load.batch,
                withoutProfiles ? " (profile job stopped)" : " (profile job running)", Runtime.getRuntime().availableProcessors());
        System.out.printf("%-9s %-22s %12s %9s %9s %9s  %s%n", "database", "run", "events/s", "p50 ms", "p99 ms",
                "p99.9 ms", "answers");
        IngestSettings ingest = IngestSettings.DEFAULTS.withMaxInFlight(256).withProjectRate(10_000_000, 10_000_000);
        for (String database : databases) {
            try (BenchNode node = new BenchNode(database, ingest)) {
                if (withoutProfiles) {
                    node.stopProfiles();
                }
                SegmentLoad sender = load.start(node.baseUrl(), node.writeKey());
                SegmentLoad.Result max = load.asFastAsPossible(sender, seconds);
                print(database, "max, " + load.connections + " connections", max);
                if (!withoutProfiles) {
                    // the profile job digests what the fast run left behind; the paced run starts on a quiet node
                    node.awaitProfilesRead(sender.accepted(), Duration.ofSeconds(180));
                }
                double fixed = load.pacedRate(max);
                SegmentLoad.Result paced = load.atFixedRate(sender, fixed, seconds);
                print(database, String.format("fixed %.0f/s", fixed), paced);
            }
        }
        return 0;
    }

    private static void print(String database, String run, SegmentLoad.Result result) {
        print(String.format("%-9s", database), run, result, "");
    }

    /** One row: what ran, rate, ack latency percentiles, answers by status, and whatever the caller adds. */
    static void print(String setup, String run, SegmentLoad.Result result, String more) {
        Histogram latency = result.latencyMicros();
        Map<Integer, Long> statuses = new TreeMap<>(result.statuses());
        System.out.printf("%s %-22s %12.0f %9.2f %9.2f %9.2f  %-12s %s%s%n", setup, run, result.eventsPerSecond(),
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                latency.getValueAtPercentile(99.9) / 1000.0, statuses, more,
                result.notSent() > 0 ? " not sent (generator saturated): " + result.notSent() : "");
        result.firstRefusals().forEach((status, body) -> System.out.printf("    first %s answer: %s%n", status,
                body.length() > 300 ? body.substring(0, 300) + "..." : body));
    }
}
