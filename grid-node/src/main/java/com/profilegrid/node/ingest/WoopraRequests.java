package com.profilegrid.node.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldableEvents;
import com.profilegrid.node.project.ApiKeys;
import com.profilegrid.node.project.KeyKind;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The Woopra HTTP tracking API: {@code /track/ce} (custom events) and {@code /track/identify}, with their
 * parameters from the query string or a form body. {@code ce_*} become event properties, {@code cv_*}
 * visitor traits, {@code cookie} the anonymous id; {@code timeout}, {@code ip} and any other parameter go
 * to the context under {@code woopra}.
 *
 * <p>Woopra hits carry no message id. A hit with a {@code timestamp} gets a stable one, derived from its
 * content, so a retried hit enters the log once; a hit without one gets a random id. An explicit
 * {@code id} parameter is used as it is.
 */
final class WoopraRequests {

    static final int MAX_PARAMETERS = 200;
    static final int MAX_VALUE_LENGTH = 4 * 1024;

    /** Woopra's names of the fields {@link FoldableEvents} names as Segment does. */
    private static final Map<String, String> WOOPRA_NAMES = Map.of("anonymousId", "cookie", "traits.email", "cv_email",
            "messageId", "id");

    private final ObjectMapper json = Json.untrustedInput(SegmentMessages.MAX_MESSAGE_BYTES);

    /** The write key the parameters carry: {@code writeKey}, or {@code project}/{@code host} when it is a key. */
    static String writeKey(Map<String, String> params) {
        if (params.get("writeKey") != null) {
            return params.get("writeKey");
        }
        for (String field : List.of("project", "host")) {
            String value = params.get(field);
            if (value != null && ApiKeys.parse(value).filter(key -> key.kind() == KeyKind.WRITE).isPresent()) {
                return value;
            }
        }
        return null;
    }

    /**
     * Why a Woopra hit with no write key is refused, in words that tell the operator what to change: Woopra's own
     * snippets send the site's domain as {@code project} (or {@code host}), which is no key.
     */
    static String missingKey(Map<String, String> params) {
        for (String field : List.of("project", "host", "website")) {
            String value = params.get(field);
            if (value != null && !value.isBlank()) {
                return "'" + field + "' is '" + SegmentMessages.abbreviate(value) + "', which is not a ProfileGrid write key "
                        + "(Woopra snippets send the site's domain there): give the project's write key (pgw_...) as "
                        + "'project', or as 'writeKey' or the HTTP Basic user name";
            }
        }
        return "missing write key: give the project's write key (pgw_...) as 'project', 'writeKey' or the HTTP Basic "
                + "user name";
    }

    TrackingEvent event(Map<String, String> params, EventType type, String project, Instant receivedAt) {
        if (params.size() > MAX_PARAMETERS) {
            throw IngestException.tooLarge("request has " + params.size() + " parameters; the limit is " + MAX_PARAMETERS);
        }
        params.forEach((name, value) -> {
            if (value.length() > MAX_VALUE_LENGTH) {
                throw IngestException.tooLarge("parameter " + SegmentMessages.abbreviate(name) + " is longer than "
                        + MAX_VALUE_LENGTH + " characters");
            }
        });
        String cookie = params.get("cookie");
        if (cookie == null || cookie.isBlank()) {
            throw IngestException.badRequest("cookie (the visitor id) is required");
        }
        if (cookie.length() > SegmentMessages.MAX_ID_LENGTH) {
            throw IngestException.badRequest("cookie is longer than " + SegmentMessages.MAX_ID_LENGTH + " characters");
        }
        String eventName = null;
        if (type == EventType.TRACK) {
            eventName = params.get("event");
            if (eventName == null || eventName.isBlank()) {
                throw IngestException.badRequest("event is required");
            }
            if (eventName.length() > SegmentMessages.MAX_EVENT_NAME_LENGTH) {
                throw IngestException.badRequest("event is longer than " + SegmentMessages.MAX_EVENT_NAME_LENGTH + " characters");
            }
        }
        Instant timestamp = receivedAt;
        String givenTime = params.get("timestamp");
        if (givenTime != null) {
            try {
                timestamp = EventTimes.sane(epochTime(Long.parseLong(givenTime.trim())), receivedAt);
            } catch (NumberFormatException e) {
                throw IngestException.badRequest("timestamp must be milliseconds (or seconds) since the epoch, not '"
                        + SegmentMessages.abbreviate(givenTime) + "'");
            }
        }
        ObjectNode properties = json.createObjectNode();
        ObjectNode traits = json.createObjectNode();
        ObjectNode woopra = json.createObjectNode();
        ObjectNode raw = json.createObjectNode();
        ObjectNode context = json.createObjectNode();
        for (Map.Entry<String, String> param : new TreeMap<>(params).entrySet()) {
            String name = param.getKey();
            String value = param.getValue();
            if (isKey(name, value)) {
                continue;
            }
            raw.put(name, value);
            if (name.startsWith("ce_")) {
                properties.put(name.substring(3), value);
            } else if (name.startsWith("cv_")) {
                traits.put(name.substring(3), value);
            } else if (name.equals("ip")) {
                context.put("ip", value);
            } else if (!List.of("cookie", "event", "timestamp", "id").contains(name)) {
                woopra.put(name, value);
            }
        }
        context.set("woopra", woopra);
        String messageId = params.get("id");
        if (messageId == null || messageId.isBlank()) {
            messageId = givenTime != null ? "woopra-" + digest(project + '\n' + type + '\n' + raw) : UUID.randomUUID().toString();
        }
        if (messageId.length() > SegmentMessages.MAX_ID_LENGTH) {
            throw IngestException.badRequest("id is longer than " + SegmentMessages.MAX_ID_LENGTH + " characters");
        }
        TrackingEvent event = new TrackingEvent(project, messageId, type, eventName, cookie, null, null, null, timestamp,
                receivedAt, write(properties), write(traits), write(context), write(raw));
        FoldableEvents.problem(event).ifPresent(problem -> {
            throw IngestException.badRequest(WOOPRA_NAMES.getOrDefault(problem.field(), problem.field()) + " "
                    + problem.reason());
        });
        return event;
    }

    private static boolean isKey(String name, String value) {
        return name.equals("writeKey") || ((name.equals("project") || name.equals("host")) && ApiKeys.parse(value).isPresent());
    }

    private String write(ObjectNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Below this, an epoch time can only be seconds: as milliseconds it would lie in 1970-1973. */
    static final long SECONDS_BELOW = 100_000_000_000L;

    /**
     * Woopra's {@code timestamp}: milliseconds since the epoch, as its trackers send it; a number that can only be
     * seconds (below {@value #SECONDS_BELOW}, as milliseconds before March 1973) is read as seconds, as server-side
     * code often writes it.
     */
    static Instant epochTime(long value) {
        return Math.abs(value) < SECONDS_BELOW ? Instant.ofEpochSecond(value) : Instant.ofEpochMilli(value);
    }
}
