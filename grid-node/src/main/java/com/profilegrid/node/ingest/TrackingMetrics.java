package com.profilegrid.node.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;

/**
 * The tracking path's metrics: events acknowledged by dialect and outcome ({@code logged}: in the tracking log,
 * {@code spooled}: in the node's spool), requests refused by dialect and reason, and the time from a request's
 * arrival to its acknowledgement (a histogram, so that Prometheus can tell percentiles over any set of nodes).
 */
public final class TrackingMetrics {

    private final MeterRegistry registry;

    public TrackingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics that go nowhere (a registry without meters behind it). */
    public static TrackingMetrics none() {
        return new TrackingMetrics(new CompositeMeterRegistry());
    }

    void acknowledged(String dialect, Ingestor.Outcome outcome, int events, long startedNanos) {
        Counter.builder("profilegrid.tracking.events")
                .description("Tracking events acknowledged, by dialect and where they were made durable")
                .tag("dialect", dialect)
                .tag("outcome", outcome == Ingestor.Outcome.LOGGED ? "logged" : "spooled")
                .register(registry).increment(events);
        Timer.builder("profilegrid.tracking.ack")
                .description("Time from a tracking request's arrival to its acknowledgement")
                .tag("dialect", dialect)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    void refused(String dialect, String reason) {
        Counter.builder("profilegrid.tracking.refused")
                .description("Tracking requests refused (nothing of them written), by dialect and reason")
                .tag("dialect", dialect)
                .tag("reason", reason)
                .register(registry).increment();
    }
}
