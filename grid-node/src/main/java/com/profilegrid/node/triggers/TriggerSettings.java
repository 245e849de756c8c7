package com.profilegrid.node.triggers;

import java.time.Duration;

/**
 * How a node delivers firings and keeps label timers.
 *
 * @param retryBudget    how long after a firing its webhook is still retried before it is dead
 * @param firstBackoff   the wait after a first failed attempt (doubling, with jitter)
 * @param longestBackoff the longest wait between attempts
 * @param perDestination attempts in flight per destination ({@code scheme://host:port})
 * @param poll           how often delivery looks for due firings when not woken
 * @param labelSweep     how often the node looks for label timers due (labels change by time at most this late)
 * @param lease          how long a node's claim holds a firing: longer than any webhook's timeout, since another node
 *                       takes the firing over once it ends (the claiming node died mid-attempt)
 */
public record TriggerSettings(Duration retryBudget, Duration firstBackoff, Duration longestBackoff, int perDestination,
                              Duration poll, Duration labelSweep, Duration lease) {

    public static TriggerSettings defaults() {
        return new TriggerSettings(Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofHours(1), 8,
                Duration.ofMillis(500), Duration.ofSeconds(15), Duration.ofMinutes(2));
    }

    /** For tests: a shorter lease (at least a webhook's timeout and some). */
    public TriggerSettings withLease(Duration newLease) {
        return new TriggerSettings(retryBudget, firstBackoff, longestBackoff, perDestination, poll, labelSweep, newLease);
    }

    public TriggerSettings withRetryBudget(Duration budget) {
        return new TriggerSettings(budget, firstBackoff, longestBackoff, perDestination, poll, labelSweep, lease);
    }

    public TriggerSettings withBackoff(Duration first, Duration longest) {
        return new TriggerSettings(retryBudget, first, longest, perDestination, poll, labelSweep, lease);
    }

    public TriggerSettings withLabelSweep(Duration sweep) {
        return new TriggerSettings(retryBudget, firstBackoff, longestBackoff, perDestination, poll, sweep, lease);
    }
}
