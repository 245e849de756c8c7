package com.profilegrid.node;

import com.profilegrid.node.ingest.Admission;

import java.time.Duration;

/**
 * Limits of the tracking path of one node.
 *
 * @param spoolMaxBytes          disk the local spool may use before ingest answers 503
 * @param maxInFlight            tracking requests processed at once
 * @param projectEventsPerSecond sustained events per second per project
 * @param projectBurstEvents     events a project may send at once above that rate
 * @param logWait                how long a request waits for the tracking log before it spools (1 s by default:
 *                               with the admission wait and the spool's, every request is answered within
 *                               about 1.6 s, under the 2 s after which clients commonly give up)
 */
public record IngestSettings(long spoolMaxBytes, int maxInFlight, long projectEventsPerSecond, long projectBurstEvents,
                             Duration logWait) {

    public static final IngestSettings DEFAULTS = new IngestSettings(1L << 30, 64, 50_000, 100_000, Duration.ofSeconds(1));

    public Admission.Limits admissionLimits() {
        return new Admission.Limits(maxInFlight, Duration.ofMillis(100), projectEventsPerSecond, projectBurstEvents);
    }

    public IngestSettings withSpoolMaxBytes(long bytes) {
        return new IngestSettings(bytes, maxInFlight, projectEventsPerSecond, projectBurstEvents, logWait);
    }

    public IngestSettings withMaxInFlight(int requests) {
        return new IngestSettings(spoolMaxBytes, requests, projectEventsPerSecond, projectBurstEvents, logWait);
    }

    public IngestSettings withProjectRate(long eventsPerSecond, long burstEvents) {
        return new IngestSettings(spoolMaxBytes, maxInFlight, eventsPerSecond, burstEvents, logWait);
    }

    public IngestSettings withLogWait(Duration wait) {
        return new IngestSettings(spoolMaxBytes, maxInFlight, projectEventsPerSecond, projectBurstEvents, wait);
    }
}
