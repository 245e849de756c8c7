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
 * The Woopra HTTP tracking API, as Woopra's own trackers send it: {@code /track/ce} (an action), {@code
 * /track/identify} (visitor properties, no action), {@code /track/ping} and {@code /track/update} (the visitor is
 * still there: keeps the visit open, counts no event), and {@code /track/push}, the browser tracker's beacon: a form
 * field {@code payload} of JSON lines {@code {"endpoint": "ce", "params": {...}}}, each one of the others. Parameters
 * come from the query string or a form body. {@code ce_*} become event properties, {@code cv_*} visitor traits
 * ({@code cv_id} the visitor's user id, {@code cv_email} its e-mail address), {@code cookie} the anonymous id; a hit
 * names its visitor by at least one of the three. {@code timeout} (milliseconds the visitor stays active after the
 * hit), {@code ip} and any other parameter go to the context under {@code woopra}. The README's Woopra section maps
 * every parameter.
 *
 * <p>Woopra hits carry no message id. The browser tracker's action id ({@code idptnc}) or an explicit {@code id}
 * is used as it is; a hit with a {@code timestamp} gets a stable one derived from its content, so a retried hit
 * enters the log once; any other hit gets a random id.
 */
final class WoopraRequests {

    static final int MAX_PARAMETERS = 200;
    static final int MAX_VALUE_LENGTH = 4 * 1024;

    /** Woopra's names of the fields {@link FoldableEvents} names as Segment does. */
    private static final Map<String, String> WOOPRA_NAMES = Map.of("anonymousId", "cookie", "traits.email", "cv_email",
            "messageId", "id", "userId", "cv_id");

    private final ObjectMapper json = Json.untrustedInput(SegmentMessages.MAX_MESSAGE_BYTES);

    /** The parameters that may carry the write key: Woopra's trackers send the project as one of the last three. */
    static final List<String> KEY_PARAMETERS = List.of("writeKey", "website", "project", "host");

    /** The endpoints a {@code /track/push} line may name, and the kind of entry each makes. */
    static final Map<String, EventType> ENDPOINTS = Map.of("ce", EventType.TRACK, "identify", EventType.IDENTIFY,
            "update", EventType.PING, "ping", EventType.PING);

    /** The write key the parameters carry: {@code writeKey}, or {@code website}/{@code project}/{@code host} when it is a key. */
    static String writeKey(Map<String, String> params) {
        for (String field : KEY_PARAMETERS) {
            String value = params.get(field);
            if (value != null && isKey(field, value)) {
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
        for (String field : List.of("website", "project", "host")) {
            String value = params.get(field);
            if (value != null && !value.isBlank()) {
                return "'" + field + "' is '" + SegmentMessages.abbreviate(value) + "', which is not a ProfileGrid write key "
                        + "(Woopra's trackers send the site's domain there): give the project's write key (pgw_...) in its "
                        + "place (the tracker's domain or project setting, or the server SDK's project key), or as "
                        + "'writeKey' or the HTTP Basic user name";
            }
        }
        return "missing write key: give the project's write key (pgw_...) as 'project' (or 'website' or 'host', as "
                + "Woopra's trackers name it), 'writeKey' or the HTTP Basic user name";
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
        String cookie = visitorId(params, "cookie");
        String userId = visitorId(params, "cv_id");
        String email = params.get("cv_email");
        if (cookie == null && userId == null && (email == null || email.isBlank())) {
            throw IngestException.badRequest("a Woopra hit names its visitor by cookie, cv_id or cv_email; it has none");
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
        Long timeoutMillis = timeoutMillis(params.get("timeout"));
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
                if (!name.equals("cv_id")) {
                    traits.put(name.substring(3), value);
                }
            } else if (name.equals("ip")) {
                context.put("ip", value);
            } else if (name.equals("timeout") && timeoutMillis != null) {
                woopra.put(name, timeoutMillis);
            } else if (!List.of("cookie", "event", "timestamp", "id", "idptnc").contains(name)) {
                woopra.put(name, value);
            }
        }
        context.set("woopra", woopra);
        String messageId = type == EventType.PING ? null : firstGiven(params, "idptnc", "id");
        if (messageId == null) {
            messageId = givenTime != null ? "woopra-" + digest(project + '\n' + type + '\n' + raw) : UUID.randomUUID().toString();
        }
        if (messageId.length() > SegmentMessages.MAX_ID_LENGTH) {
            throw IngestException.badRequest("id is longer than " + SegmentMessages.MAX_ID_LENGTH + " characters");
        }
        TrackingEvent event = new TrackingEvent(project, messageId, type, eventName, cookie, userId, null, null, timestamp,
                receivedAt, write(properties), write(traits), write(context), write(raw));
        FoldableEvents.problem(event).ifPresent(problem -> {
            throw IngestException.badRequest(WOOPRA_NAMES.getOrDefault(problem.field(), problem.field()) + " "
                    + problem.reason());
        });
        return event;
    }

    /** Whether parameter {@code name} carries the write key (a domain in {@code project} does not). */
    private static boolean isKey(String name, String value) {
        return name.equals("writeKey") || (KEY_PARAMETERS.contains(name)
                && ApiKeys.parse(value).filter(key -> key.kind() == KeyKind.WRITE).isPresent());
    }

    /** Woopra's {@code timeout}: milliseconds, {@code null} when absent or blank; refused when not a count. */
    private static Long timeoutMillis(String timeout) {
        if (timeout == null || timeout.isBlank()) {
            return null;
        }
        try {
            long millis = Long.parseLong(timeout.trim());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw IngestException.badRequest("timeout must be a number of milliseconds, not '"
                + SegmentMessages.abbreviate(timeout) + "'");
    }

    /** A visitor id parameter, {@code null} when absent or blank; refused when too long for an id. */
    private static String visitorId(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > SegmentMessages.MAX_ID_LENGTH) {
            throw IngestException.badRequest(name + " is longer than " + SegmentMessages.MAX_ID_LENGTH + " characters");
        }
        return value;
    }

    private static String firstGiven(Map<String, String> params, String... names) {
        for (String name : names) {
            String value = params.get(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
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
