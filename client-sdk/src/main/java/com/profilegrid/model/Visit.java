package com.profilegrid.model;

import java.util.Objects;
import java.time.Instant;

/**
 * One visit (session): the span from its first to its last event. Events closer than the inactivity gap
 * belong to the same visit, so visits are a function of the set of event times, not of arrival order.
 *
 * @param start event time of the visit's first event
 * @param end   event time of the visit's last event
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
