package com.profilegrid.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One tracking event as the tracking log stores it: the ids and times that route and order it, the
 * JSON parts that profiles fold in, and the message exactly as the client sent it.
 *
 * @param project     the project the event belongs to (from its write key, never from the payload)
 * @param messageId   unique per project; duplicates and retries with the same id enter the log once
 * @param type        kind of call
 * @param eventName   the event name of a track call, the page or screen name, or {@code null}
 * @param anonymousId anonymous (cookie, device) id, or {@code null}
 * @param userId      known user id, or {@code null}
 * @param previousId  the id an alias call joins to {@code userId}, or {@code null}
 * @param groupId     the group of a group call, or {@code null}
 * @param timestamp   event time, corrected for client clock skew, millisecond precision
 * @param receivedAt  when the server received it, millisecond precision
 * @param properties  event properties, a JSON object
 * @param traits      user (or group) traits, a JSON object
 * @param context     context (ip, user agent, library, ...), a JSON object
 * @param raw         the message as received, a JSON object; empty where the profile pipeline read the event without it
 *                    ({@code TrackingLogReader.readToFold})
 */
public record TrackingEvent(
        String project,
        String messageId,
        EventType type,
        String eventName,
        String anonymousId,
        String userId,
        String previousId,
        String groupId,
        Instant timestamp,
        Instant receivedAt,
        String properties,
        String traits,
        String context,
        String raw) {

    public static final int MAX_MESSAGE_ID_LENGTH = 256;

    public TrackingEvent {
        ProfileKey.requireId("project", project, ProfileKey.MAX_PROJECT_LENGTH);
        ProfileKey.requireId("messageId", messageId, MAX_MESSAGE_ID_LENGTH);
        Objects.requireNonNull(type, "type must not be null");
        timestamp = Times.toMillis(Objects.requireNonNull(timestamp, "timestamp must not be null"));
        receivedAt = Times.toMillis(Objects.requireNonNull(receivedAt, "receivedAt must not be null"));
        Objects.requireNonNull(properties, "properties must not be null");
        Objects.requireNonNull(traits, "traits must not be null");
        Objects.requireNonNull(context, "context must not be null");
        Objects.requireNonNull(raw, "raw must not be null");
    }
}
