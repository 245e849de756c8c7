package com.profilegrid.node.ops;

import java.time.Duration;

/**
 * When a node counts as overloaded ({@link Overload}): any one signal past its threshold. Each is a node flag with an
 * environment variable (see {@code bin/profilegrid node --help}).
 *
 * @param heapAfterGcPercent  heap in use after the last collection, in percent of the largest heap: past it the next
 *                            allocations spend their time in GC and an OutOfMemoryError is near
 * @param stateBudgetPercent  the heap profile state takes, in percent of its budget: eviction keeps it at or under
 *                            100, so past this eviction is not keeping up
 * @param lagEvents           events in the tracking log the profile job has not applied (the cluster's): the pipeline
 *                            is falling behind; 0 turns the signal off
 * @param writeBehindRows     profile rows this member holds queued for the database: the database is slow or down
 * @param spoolPercent        the spool's fill, in percent of its largest size: the tracking log is slow or down, and a
 *                            full spool refuses everything
 * @param recoverAfter        how long every signal must stay under its threshold before the node counts as recovered
 * @param maxMigrationPause   longest time an overloaded node keeps partition migrations paused; after it they resume
 *                            even under overload, so that the cluster is never left unsafe longer
 */
public record OverloadSettings(int heapAfterGcPercent, int stateBudgetPercent, long lagEvents, long writeBehindRows,
                               int spoolPercent, Duration recoverAfter, Duration maxMigrationPause) {

    public static final OverloadSettings DEFAULTS = new OverloadSettings(85, 150, 5_000_000, 1_000_000, 80,
            Duration.ofSeconds(10), Duration.ofMinutes(2));

    public OverloadSettings {
        if (heapAfterGcPercent < 1 || heapAfterGcPercent > 100) {
            throw new IllegalArgumentException("--overload-heap-percent must be 1 to 100, not " + heapAfterGcPercent);
        }
        if (stateBudgetPercent < 1) {
            throw new IllegalArgumentException("--overload-state-percent must be at least 1, not " + stateBudgetPercent);
        }
        if (lagEvents < 0 || writeBehindRows < 1) {
            throw new IllegalArgumentException("--overload-lag-events must not be negative and "
                    + "--overload-writebehind-rows must be at least 1");
        }
        if (spoolPercent < 1 || spoolPercent > 100) {
            throw new IllegalArgumentException("--overload-spool-percent must be 1 to 100, not " + spoolPercent);
        }
        if (maxMigrationPause.isNegative() || recoverAfter.isNegative()) {
            throw new IllegalArgumentException("--overload-max-migration-pause must not be negative");
        }
    }

    public OverloadSettings withHeapAfterGcPercent(int percent) {
        return new OverloadSettings(percent, stateBudgetPercent, lagEvents, writeBehindRows, spoolPercent, recoverAfter,
                maxMigrationPause);
    }

    public OverloadSettings withRecoverAfter(Duration after) {
        return new OverloadSettings(heapAfterGcPercent, stateBudgetPercent, lagEvents, writeBehindRows, spoolPercent,
                after, maxMigrationPause);
    }

    public OverloadSettings withMaxMigrationPause(Duration pause) {
        return new OverloadSettings(heapAfterGcPercent, stateBudgetPercent, lagEvents, writeBehindRows, spoolPercent,
                recoverAfter, pause);
    }
}
