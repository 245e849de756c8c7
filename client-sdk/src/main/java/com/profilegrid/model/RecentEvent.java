package com.profilegrid.model;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * An event in a profile's list of recent events.
 *
 * @param messageId the event's message id
 * @param type      kind of call
 * @param name      event, page or screen name, or {@code null}
 * @param timestamp event time
 */
public record RecentEvent(String messageId, EventType type, String name, Instant timestamp) {

    /** Newest first; the message id breaks ties, so the order is total. */
    public static final Comparator<RecentEvent> NEWEST_FIRST =
            Comparator.comparing(RecentEvent::timestamp).thenComparing(RecentEvent::messageId).reversed();

    public RecentEvent {
        Objects.requireNonNull(messageId, "messageId must not be null");
        Objects.requireNonNull(type, "type must not be null");
        timestamp = Times.toMillis(Objects.requireNonNull(timestamp, "timestamp must not be null"));
    }
}
