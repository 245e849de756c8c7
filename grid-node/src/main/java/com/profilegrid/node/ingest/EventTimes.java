package com.profilegrid.node.ingest;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;

/**
 * Which event time an accepted event keeps. A client clock can be far off, and a timestamp outside what a profile can
 * use (before 2000, more than a day after the server received the event, or so far out that arithmetic on it
 * overflows) is replaced by the time the server received the event, as Segment does; the stored message keeps the
 * timestamp as sent. One odd timestamp therefore never refuses a batch, nor fails the commit it shares with others.
 */
final class EventTimes {

    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Duration MAX_AHEAD = Duration.ofDays(1);

    private EventTimes() {
    }

    /** {@code given}, or {@code receivedAt} when {@code given} lies outside the window. */
    static Instant sane(Instant given, Instant receivedAt) {
        return given.isBefore(EARLIEST) || given.isAfter(receivedAt.plus(MAX_AHEAD)) ? receivedAt : given;
    }

    /** Segment's clock-skew correction, {@code timestamp + (receivedAt - sentAt)}, kept within the window. */
    static Instant skewCorrected(Instant timestamp, Instant sentAt, Instant receivedAt) {
        if (sentAt == null) {
            return sane(timestamp, receivedAt);
        }
        try {
            return sane(timestamp.plus(Duration.between(sentAt, receivedAt)), receivedAt);
        } catch (DateTimeException | ArithmeticException e) {
            return receivedAt;
        }
    }
}
