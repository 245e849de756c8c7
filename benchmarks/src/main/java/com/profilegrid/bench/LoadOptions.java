package com.profilegrid.bench;

import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.UUID;

/**
 * The load of the ack-latency benchmarks ({@code ingest}, {@code roles}), as a picocli mixin: Segment batches sent as
 * fast as {@code --connections} senders allow, then at a fixed rate (half of that maximum unless {@code --rate}).
 */
final class LoadOptions {

    @Option(names = "--connections", defaultValue = "16", description = "Senders in the as-fast-as-possible run (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch", defaultValue = "100", description = "Messages per Segment batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rate", description = "Events/s of the paced runs (default: half of the measured maximum).")
    Double rate;

    /** A load against the node at {@code baseUrl}, after 3 s of unmeasured warm-up at full speed. */
    SegmentLoad start(String baseUrl, String writeKey) throws InterruptedException {
        SegmentLoad load = new SegmentLoad(baseUrl, writeKey, batch, UUID.randomUUID().toString(), connections * 2);
        load.asFastAsPossible(connections, Duration.ofSeconds(3));
        return load;
    }

    SegmentLoad.Result asFastAsPossible(SegmentLoad load, int seconds) throws InterruptedException {
        return load.asFastAsPossible(connections, Duration.ofSeconds(seconds));
    }

    /** The paced run's rate: {@code --rate}, else half of what the fast run reached. */
    double pacedRate(SegmentLoad.Result max) {
        return rate != null ? rate : Math.max(batch, max.eventsPerSecond() / 2);
    }

    SegmentLoad.Result atFixedRate(SegmentLoad load, double eventsPerSecond, int seconds)
            throws InterruptedException {
        return load.atFixedRate(eventsPerSecond, Duration.ofSeconds(seconds), connections * 8);
    }
}
