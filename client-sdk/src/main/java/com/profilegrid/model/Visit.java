package com.profilegrid.model;

import java.util.Objects;
import java.time.Instant;

/**
 * One visit (session): the span from its first to its last event. Events closer than the inactivity gap
 * belong to the same visit, so visits are a function of the set of event times, not of arrival order.
 *
 * A Woopra hit whose {@code timeout} is longer than the gap keeps its visit open for that long: its visit runs as if
 * the visitor had been active until {@code time + timeout - gap}, so {@code end} may lie past the last event.
 *
 * @param start event time of the visit's first event
 * @param end   event time of the visit's last event (or later, see above)
 */
public record Visit(Instant start, Instant end) {

    public Visit {
        start = Times.toMillis(Objects.requireNonNull(start, "start must not be null"));
        end = Times.toMillis(Objects.requireNonNull(end, "end must not be null"));
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("a visit cannot end before it starts");
        }
    }
}
