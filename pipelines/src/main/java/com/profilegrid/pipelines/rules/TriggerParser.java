package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads and checks a trigger's definition ({@code {"on": ..., "webhook": {...}, "onBackfill": false}}); a definition
 * that is not valid is refused with a {@link RuleException} naming its faulty part by JSON path, as rules are.
 */
public record TriggerParser(RuleParser rules) {

    /** The shortest and longest time an attempt may wait for a webhook's answer. */
    public static final int MIN_TIMEOUT_MS = 100;
    public static final int MAX_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_TIMEOUT_MS = 5_000;
    /** A secret's length bounds (the HMAC key). */
    public static final int MIN_SECRET = 16;
    public static final int MAX_SECRET = 256;

    /** The trigger {@code name} of {@code project} that {@code json} (the definition, without its name) states. */
    public Trigger parse(String project, String name, JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new RuleException("", "a trigger must be a JSON object with \"on\" and \"webhook\"");
        }
        only(json, "", "name", "on", "webhook", "onBackfill");
        JsonNode backfill = json.get("onBackfill");
        if (backfill != null && !backfill.isBoolean()) {
            throw new RuleException("/onBackfill", "must be true or false");
        }
        return new Trigger(project, name, on(json.get("on")), webhook(json.get("webhook")),
                backfill != null && backfill.asBoolean());
    }

    private Trigger.On on(JsonNode on) {
        String path = "/on";
        if (on == null || !on.isObject()) {
            throw new RuleException(path, "missing: one of {\"labelEntered\": \"<label>\"}, {\"labelExited\": \"<label>\"}, "
                    + "{\"event\": \"<event name>\", \"where\": <rule>, \"profile\": <rule>}");
        }
        if (on.has("labelEntered")) {
            only(on, path, "labelEntered");
            return new Trigger.LabelEntered(label(on.get("labelEntered"), path + "/labelEntered"));
        }
        if (on.has("labelExited")) {
            only(on, path, "labelExited");
            return new Trigger.LabelExited(label(on.get("labelExited"), path + "/labelExited"));
        }
        if (on.has("event")) {
            only(on, path, "event", "where", "profile");
            JsonNode event = on.get("event");
            if (!event.isTextual() || event.asText().isEmpty() || event.asText().length() > 1_000) {
                throw new RuleException(path + "/event", "must be the event's name, a string of 1 to 1000 characters");
            }
            Rule where = on.has("where") ? rules.parseOnEvent(on.get("where"), path + "/where") : null;
            Rule profile = on.has("profile") ? rules.parse(on.get("profile"), path + "/profile") : null;
            return new Trigger.OnEvent(event.asText(), where, profile);
        }
        throw new RuleException(path, "expected one of \"labelEntered\", \"labelExited\", \"event\"");
    }

    private static String label(JsonNode label, String path) {
        if (label == null || !label.isTextual() || !LabelDefinition.NAME.matcher(label.asText()).matches()) {
            throw new RuleException(path, "must be a label's name");
        }
        return label.asText();
    }

    private static Trigger.Webhook webhook(JsonNode webhook) {
        String path = "/webhook";
        if (webhook == null || !webhook.isObject()) {
            throw new RuleException(path, "missing: {\"url\": \"https://...\", \"secret\": \"...\", \"timeoutMs\": 5000}");
        }
        only(webhook, path, "url", "secret", "timeoutMs");
        JsonNode url = webhook.get("url");
        URI uri;
        try {
            uri = url != null && url.isTextual() ? new URI(url.asText()) : null;
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getScheme() == null
                || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            throw new RuleException(path + "/url", "must be an absolute http or https URL, not " + url);
        }
        JsonNode secret = webhook.get("secret");
        if (secret == null || !secret.isTextual() || secret.asText().length() < MIN_SECRET
                || secret.asText().length() > MAX_SECRET) {
            throw new RuleException(path + "/secret", "must be a string of " + MIN_SECRET + " to " + MAX_SECRET
                    + " characters: the key that signs each delivery (ProfileGrid-Signature)");
        }
        JsonNode timeout = webhook.get("timeoutMs");
        int timeoutMs = DEFAULT_TIMEOUT_MS;
        if (timeout != null) {
            if (!timeout.canConvertToInt() || !timeout.canConvertToExactIntegral() || timeout.asInt() < MIN_TIMEOUT_MS
                    || timeout.asInt() > MAX_TIMEOUT_MS) {
                throw new RuleException(path + "/timeoutMs", "must be a whole number of milliseconds from "
                        + MIN_TIMEOUT_MS + " to " + MAX_TIMEOUT_MS + ", not " + timeout);
            }
            timeoutMs = timeout.asInt();
        }
        return new Trigger.Webhook(uri, secret.asText(), timeoutMs);
    }

    private static void only(JsonNode json, String path, String... allowed) {
        Set<String> known = Set.of(allowed);
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new RuleException(path + "/" + name, "unknown field beside " + String.join(", ", allowed));
            }
        }
    }
}
