package com.profilegrid.node.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldableEvents;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Segment HTTP Tracking API's messages: parsing, limits and validation, then the events they become.
 * A request is checked whole before anything is written: one bad message refuses the request.
 */
final class SegmentMessages {

    static final int MAX_MESSAGE_BYTES = 32 * 1024;
    static final int MAX_BATCH_BYTES = 500 * 1024;
    static final int MAX_BATCH_MESSAGES = 2_500;
    static final int MAX_ID_LENGTH = 256;
    static final int MAX_EVENT_NAME_LENGTH = 512;

    /** A request body, parsed: its messages and what the batch envelope gives them all. */
    record Request(String writeKey, List<ObjectNode> messages, ObjectNode sharedContext, String sharedSentAt) {
    }

    private final ObjectMapper json = Json.untrustedInput(MAX_BATCH_BYTES);

    /**
     * @param single the type of a single-message endpoint, or {@code null} for {@code /v1/batch}
     */
    Request parse(byte[] body, EventType single) {
        JsonNode root = readTree(body);
        if (!root.isObject()) {
            throw IngestException.badRequest("body must be a JSON object");
        }
        String writeKey = optionalText(root, "writeKey", "body");
        if (single != null) {
            return new Request(writeKey, List.of((ObjectNode) root), null, null);
        }
        JsonNode batch = root.get("batch");
        if (batch == null || !batch.isArray()) {
            throw IngestException.badRequest("batch must be an array of messages");
        }
        if (batch.size() > MAX_BATCH_MESSAGES) {
            throw IngestException.tooLarge("batch has " + batch.size() + " messages; the limit is " + MAX_BATCH_MESSAGES);
        }
        JsonNode context = root.get("context");
        if (context != null && !context.isNull() && !context.isObject()) {
            throw IngestException.badRequest("context must be an object");
        }
        List<ObjectNode> messages = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!batch.get(i).isObject()) {
                throw IngestException.badRequest("batch[" + i + "] must be an object");
            }
            messages.add((ObjectNode) batch.get(i));
        }
        return new Request(writeKey, messages, context instanceof ObjectNode object ? object : null,
                optionalText(root, "sentAt", "body"));
    }

    /** The events of a parsed request for {@code project}, every message validated first. */
    List<TrackingEvent> events(Request request, EventType single, String project, Instant receivedAt) {
        List<TrackingEvent> events = new ArrayList<>(request.messages().size());
        for (int i = 0; i < request.messages().size(); i++) {
            String where = single != null ? "message" : "batch[" + i + "]";
            events.add(event(request, request.messages().get(i), single, where, project, receivedAt));
        }
        return events;
    }

    private TrackingEvent event(Request request, ObjectNode message, EventType single, String where,
                                String project, Instant receivedAt) {
        ObjectNode raw = message;
        if (message.has("writeKey")) {
            // the raw message is kept without its key (copied only then: a batch's messages rarely carry one)
            raw = message.deepCopy();
            raw.remove("writeKey");
        }
        byte[] rawBytes = bytes(raw);
        if (rawBytes.length > MAX_MESSAGE_BYTES) {
            throw IngestException.tooLarge(where + " is " + rawBytes.length + " bytes; the limit is " + MAX_MESSAGE_BYTES + " bytes");
        }
        EventType type = single != null ? single : type(message, where);
        String messageId = optionalId(message, "messageId", where);
        String anonymousId = optionalId(message, "anonymousId", where);
        String userId = optionalId(message, "userId", where);
        String previousId = optionalId(message, "previousId", where);
        String groupId = optionalId(message, "groupId", where);
        String eventName = null;
        switch (type) {
            case TRACK -> eventName = requiredText(message, "event", where, MAX_EVENT_NAME_LENGTH);
            case PAGE, SCREEN -> eventName = optionalText(message, "name", where);
            case GROUP -> require(groupId, "groupId", where);
            case ALIAS -> {
                require(previousId, "previousId", where);
                require(userId, "userId", where);
            }
            default -> { }
        }
        if (userId == null && anonymousId == null) {
            throw IngestException.badRequest(where + " needs a userId or an anonymousId");
        }
        if (eventName != null && eventName.length() > MAX_EVENT_NAME_LENGTH) {
            throw IngestException.badRequest(where + ".name is longer than " + MAX_EVENT_NAME_LENGTH + " characters");
        }
        ObjectNode context = object(message, "context", where);
        if (request.sharedContext() != null) {
            ObjectNode merged = request.sharedContext().deepCopy();
            merged.setAll(context);
            context = merged;
        }
        String sentAt = optionalText(message, "sentAt", where);
        Instant timestamp = eventTime(message, sentAt != null ? sentAt : request.sharedSentAt(), receivedAt, where);
        TrackingEvent event = new TrackingEvent(project, messageId != null ? messageId : UUID.randomUUID().toString(), type,
                eventName, anonymousId, userId, previousId, groupId, timestamp, receivedAt,
                text(object(message, "properties", where)), text(object(message, "traits", where)), text(context),
                new String(rawBytes, java.nio.charset.StandardCharsets.UTF_8));
        FoldableEvents.problem(event).ifPresent(problem -> {
            String field = problem.field().equals("event") && type != EventType.TRACK ? "name" : problem.field();
            throw IngestException.badRequest(where + "." + field + " " + problem.reason());
        });
        return event;
    }

    /**
     * Segment's clock-skew correction: timestamp + (receivedAt - sentAt); no timestamp means receivedAt, and so does
     * one outside the window of {@link EventTimes}.
     */
    private static Instant eventTime(ObjectNode message, String sentAt, Instant receivedAt, String where) {
        String given = optionalText(message, "timestamp", where);
        if (given == null) {
            given = optionalText(message, "originalTimestamp", where);
        }
        if (given == null) {
            return receivedAt;
        }
        Instant timestamp = instant(given, where + ".timestamp");
        return EventTimes.skewCorrected(timestamp, sentAt == null ? null : instant(sentAt, where + ".sentAt"), receivedAt);
    }

    /**
     * ISO-8601 as clients write it: {@code 2026-11-01T10:00:00.123Z} or {@code +01:00}, also an offset without its colon
     * ({@code +0100}, as some libraries format it), or none at all (taken as UTC), and a space between date and time
     * (RFC 3339 allows it; Python's {@code str(datetime)} writes it).
     */
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
            .toFormatter();

    private static Instant instant(String text, String field) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                String trimmed = text.trim();
                if (trimmed.length() > 10 && trimmed.charAt(10) == ' ') {
                    trimmed = trimmed.substring(0, 10) + 'T' + trimmed.substring(11);
                }
                return OffsetDateTime.parse(trimmed, LENIENT).toInstant();
            } catch (DateTimeParseException again) {
                throw IngestException.badRequest(field + " is not an ISO-8601 date-time: '" + abbreviate(text) + "'");
            }
        }
    }

    private static EventType type(ObjectNode message, String where) {
        String name = requiredText(message, "type", where, 16);
        EventType type = EventType.ofWireName(name);
        if (type == null || !type.isSegmentType()) {
            throw IngestException.badRequest(where + ".type '" + abbreviate(name)
                    + "' is not one of track, identify, page, screen, group, alias");
        }
        return type;
    }

    private static void require(String value, String field, String where) {
        if (value == null) {
            throw IngestException.badRequest(where + " needs " + field);
        }
    }

    /**
     * An id: a string (numbers are taken as their text, as Segment's libraries send them); an empty or blank one is no
     * id, as Segment's libraries take it (analytics-node sends a message whose {@code userId} is {@code ""} when it has
     * an {@code anonymousId}), so such a message stands on its other id and is refused only if it has none.
     */
    private static String optionalId(ObjectNode message, String field, String where) {
        JsonNode value = message.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() && !value.isIntegralNumber()) {
            throw IngestException.badRequest(where + "." + field + " must be a string");
        }
        String id = value.asText();
        if (id.isBlank()) {
            return null;
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw IngestException.badRequest(where + "." + field + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }

    private static String requiredText(ObjectNode message, String field, String where, int maxLength) {
        String value = optionalText(message, field, where);
        if (value == null || value.isBlank()) {
            throw IngestException.badRequest(where + " needs " + field);
        }
        if (value.length() > maxLength) {
            throw IngestException.badRequest(where + "." + field + " is longer than " + maxLength + " characters");
        }
        return value;
    }

    private static String optionalText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw IngestException.badRequest(where + "." + field + " must be a string");
        }
        return value.asText();
    }

    private static ObjectNode object(ObjectNode message, String field, String where) {
        JsonNode value = message.get(field);
        if (value == null || value.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!value.isObject()) {
            throw IngestException.badRequest(where + "." + field + " must be an object");
        }
        return (ObjectNode) value;
    }

    private JsonNode readTree(byte[] body) {
        if (body.length == 0) {
            throw IngestException.badRequest("body is empty; expected a JSON object");
        }
        try {
            JsonNode root = json.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw IngestException.badRequest("body is empty; expected a JSON object");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new IngestException(400, "JSON exceeds a limit: " + Json.problem(e), 0, e);
        } catch (JacksonException e) {
            throw new IngestException(400, "malformed JSON: " + Json.problem(e), 0, e);
        } catch (java.io.IOException e) {
            throw new IngestException(400, "could not read JSON: " + e.getMessage(), 0, e);
        }
    }

    private String text(ObjectNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a parsed JSON tree", e);
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a parsed JSON tree", e);
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
