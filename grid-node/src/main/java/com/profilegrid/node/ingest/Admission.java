package com.profilegrid.node.ingest;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Admission control of a node: a bounded number of requests in flight (past it, 503 at once rather than a
 * queue that hangs), and a token bucket of events per second per project (past it, 429). Both answer
 * with Retry-After. Limits are per node; a cluster of N nodes admits up to N times as much.
 */
public final class Admission {

    /**
     * @param maxInFlight     requests processed at once by this node
     * @param queueWait       how long a request may wait for a slot before it is answered 503
     * @param eventsPerSecond sustained events per second per project
     * @param burstEvents     events a project may send at once above the sustained rate
     */
    public record Limits(int maxInFlight, Duration queueWait, long eventsPerSecond, long burstEvents) {
    }

    /** A held in-flight slot; closing it releases the slot. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final Limits limits;
    private final Semaphore inFlight;
    private final LoadingCache<String, Bucket> buckets;

    public Admission(Limits limits) {
        this.limits = limits;
        this.inFlight = new Semaphore(limits.maxInFlight());
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(Duration.ofMinutes(10))
                .maximumSize(100_000)
                .build(project -> Bucket.builder()
                        .addLimit(Bandwidth.builder()
                                .capacity(limits.burstEvents())
                                .refillGreedy(limits.eventsPerSecond(), Duration.ofSeconds(1))
                                .build())
                        .build());
    }

    /** A slot for one request, or 503 when the node is saturated. */
    public Slot enter() {
        boolean acquired;
        try {
            acquired = inFlight.tryAcquire(limits.queueWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new IngestException(503, "busy", "node is at its limit of " + limits.maxInFlight()
                    + " requests in flight; retry shortly", 1, null);
        }
        return inFlight::release;
    }

    /** Takes {@code events} from the project's bucket, or answers 429 with how long to wait. */
    public void charge(String project, int events) {
        if (events > limits.burstEvents()) {
            throw new IngestException(429, "request of " + events + " events exceeds the burst limit of "
                    + limits.burstEvents() + " events", 1, null);
        }
        ConsumptionProbe probe = buckets.get(project).tryConsumeAndReturnRemaining(events);
        if (!probe.isConsumed()) {
            long waitSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
            throw new IngestException(429, "project " + project + " is over its rate limit of "
                    + limits.eventsPerSecond() + " events/s", (int) Math.min(waitSeconds, 60), null);
        }
    }
}
