package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a rule from JSON ({@link Rule} shows the grammar) and checks all of it: a rule that is not valid is refused with a
 * {@link RuleException} naming the faulty part by its JSON path, such as {@code /rule/all/1/op: unknown operator
 * "equals"}. Unknown fields are refused too (a misspelt {@code "withn"} would otherwise widen a window to all time).
 *
 * @param longestWindow the longest {@code within} a rule may ask for: profiles keep visits and daily event counts for
 *                      that long before their last event, and no longer
 */
public record RuleParser(Duration longestWindow) {

    /** Rules nest at most this deep. */
    public static final int MAX_DEPTH = 16;
    /** A label's rule has at most this many parts (every rule and sub-rule). */
    public static final int MAX_PARTS = 200;
    private static final int MAX_TEXT = 1_000;

    /** The rule {@code json} states; {@code path} is where it is in its document ({@code /rule}). */
    public Rule parse(JsonNode json, String path) {
        return new Reading(false).rule(json, path, 1);
    }

    /**
     * A rule on one event's properties (a trigger's {@code "where"}): {@code property}, {@code all}, {@code any} and
     * {@code not} only, since an event has no counts, visits or times of its own.
     */
    public Rule parseOnEvent(JsonNode json, String path) {
        return new Reading(true).rule(json, path, 1);
    }

    /** One reading: counts the parts. */
    private final class Reading {
        private final boolean eventOnly;
        private int parts;

        Reading(boolean eventOnly) {
            this.eventOnly = eventOnly;
        }

        Rule rule(JsonNode json, String path, int depth) {
            if (json == null || !json.isObject()) {
                throw new RuleException(path, "a rule must be a JSON object");
            }
            if (depth > MAX_DEPTH) {
                throw new RuleException(path, "rules nest at most " + MAX_DEPTH + " deep");
            }
            if (++parts > MAX_PARTS) {
                throw new RuleException(path, "a rule has at most " + MAX_PARTS + " parts");
            }
            if (json.has("all")) {
                only(json, path, "all");
                return new Rule.All(list(json.get("all"), path + "/all", depth));
            }
            if (json.has("any")) {
                only(json, path, "any");
                return new Rule.Any(list(json.get("any"), path + "/any", depth));
            }
            if (json.has("not")) {
                only(json, path, "not");
                return new Rule.Not(rule(json.get("not"), path + "/not", depth + 1));
            }
            if (json.has("property")) {
                return property(json, path);
            }
            if (eventOnly) {
                throw new RuleException(path, "a rule on an event's properties is one of \"all\", \"any\", \"not\", "
                        + "\"property\"");
            }
            if (json.has("event")) {
                only(json, path, "event", "count", "within");
                String event = text(json.get("event"), path + "/event");
                return new Rule.EventCount(event, count(json.get("count"), path + "/count"), window(json, path));
            }
            if (json.has("visits")) {
                only(json, path, "visits", "within");
                return new Rule.Visits(count(json.get("visits"), path + "/visits"), window(json, path));
            }
            if (json.has("lastSeen")) {
                only(json, path, "lastSeen");
                JsonNode lastSeen = json.get("lastSeen");
                if (lastSeen == null || !lastSeen.isObject() || !lastSeen.has("olderThan")) {
                    throw new RuleException(path + "/lastSeen", "must be {\"olderThan\": \"<ISO-8601 duration>\"}");
                }
                only(lastSeen, path + "/lastSeen", "olderThan");
                return new Rule.LastSeenOlderThan(duration(lastSeen.get("olderThan"), path + "/lastSeen/olderThan"));
            }
            if (json.has("firstSeen")) {
                only(json, path, "firstSeen");
                JsonNode firstSeen = json.get("firstSeen");
                if (firstSeen == null || !firstSeen.isObject() || !firstSeen.has("within")) {
                    throw new RuleException(path + "/firstSeen", "must be {\"within\": \"<ISO-8601 duration>\"}");
                }
                only(firstSeen, path + "/firstSeen", "within");
                return new Rule.FirstSeenWithin(duration(firstSeen.get("within"), path + "/firstSeen/within"));
            }
            throw new RuleException(path, "unknown rule: expected one of \"all\", \"any\", \"not\", \"property\", "
                    + "\"event\", \"visits\", \"lastSeen\", \"firstSeen\"");
        }

        private List<Rule> list(JsonNode json, String path, int depth) {
            if (json == null || !json.isArray() || json.isEmpty()) {
                throw new RuleException(path, "must be a non-empty array of rules");
            }
            List<Rule> rules = new ArrayList<>(json.size());
            for (int i = 0; i < json.size(); i++) {
                rules.add(rule(json.get(i), path + "/" + i, depth + 1));
            }
            return rules;
        }

        private Rule property(JsonNode json, String path) {
            only(json, path, "property", "op", "value");
            String name = text(json.get("property"), path + "/property");
            JsonNode op = json.get("op");
            if (op == null) {
                throw new RuleException(path + "/op", "missing: one of " + String.join(", ", PropertyTest.OPERATORS));
            }
            if (!op.isTextual() || !PropertyTest.OPERATORS.contains(op.asText())) {
                throw new RuleException(path + "/op", "unknown operator " + op + "; expected one of "
                        + String.join(", ", PropertyTest.OPERATORS));
            }
            String operator = op.asText();
            JsonNode value = json.get("value");
            String valuePath = path + "/value";
            if (operator.equals("exists")) {
                if (value != null) {
                    throw new RuleException(valuePath, "\"exists\" takes no value");
                }
                return new Rule.Property(name, new PropertyTest(operator, null));
            }
            if (value == null || value.isNull()) {
                throw new RuleException(valuePath, "missing: \"" + operator + "\" compares with a value");
            }
            switch (operator) {
                case "in" -> {
                    if (!value.isArray() || value.isEmpty()) {
                        throw new RuleException(valuePath, "\"in\" takes a non-empty array of values");
                    }
                }
                case "startsWith" -> {
                    if (!value.isTextual()) {
                        throw new RuleException(valuePath, "\"startsWith\" takes a string");
                    }
                }
                case "gt", "gte", "lt", "lte" -> {
                    if (!value.isNumber() && !value.isTextual()) {
                        throw new RuleException(valuePath, "\"" + operator + "\" takes a number or a string");
                    }
                }
                default -> {
                    if (!value.isValueNode()) {
                        throw new RuleException(valuePath, "\"" + operator + "\" takes a string, number or boolean");
                    }
                }
            }
            return new Rule.Property(name, new PropertyTest(operator, value.toString()));
        }

        private Rule.Count count(JsonNode json, String path) {
            if (json == null || !json.isObject() || json.size() != 1) {
                throw new RuleException(path, "must be an object with one of \"gte\", \"lte\", \"eq\"");
            }
            Iterator<String> names = json.fieldNames();
            String op = names.next();
            if (!Set.of("gte", "lte", "eq").contains(op)) {
                throw new RuleException(path + "/" + op, "unknown count operator \"" + op + "\"; expected gte, lte or eq");
            }
            JsonNode value = json.get(op);
            if (!value.canConvertToExactIntegral() || !value.canConvertToLong() || value.asLong() < 0) {
                throw new RuleException(path + "/" + op, "must be a whole number of at least 0, not " + value);
            }
            return new Rule.Count(op, value.asLong());
        }

        private Duration window(JsonNode json, String path) {
            JsonNode within = json.get("within");
            if (within == null) {
                return null;
            }
            Duration window = duration(within, path + "/within");
            if (window.compareTo(longestWindow) > 0) {
                throw new RuleException(path + "/within", within.asText() + " is longer than the " + describe(longestWindow)
                        + " of history profiles keep (--visit-retention-days)");
            }
            return window;
        }

        private Duration duration(JsonNode json, String path) {
            if (json == null || !json.isTextual()) {
                throw new RuleException(path, "must be an ISO-8601 duration such as \"P30D\" or \"PT6H\"");
            }
            try {
                Duration duration = Duration.parse(json.asText());
                if (duration.isNegative() || duration.isZero()) {
                    throw new RuleException(path, "must be longer than zero, not " + json);
                }
                return duration;
            } catch (DateTimeParseException e) {
                throw new RuleException(path, "not an ISO-8601 duration such as \"P30D\" or \"PT6H\": " + json);
            }
        }

        private String text(JsonNode json, String path) {
            if (json == null || !json.isTextual() || json.asText().isEmpty() || json.asText().length() > MAX_TEXT) {
                throw new RuleException(path, "must be a string of 1 to " + MAX_TEXT + " characters");
            }
            return json.asText();
        }

        private void only(JsonNode json, String path, String... allowed) {
            Set<String> known = Set.of(allowed);
            for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    throw new RuleException(path + "/" + name, "unknown field beside " + String.join(", ", allowed));
                }
            }
        }
    }

    private static String describe(Duration duration) {
        return duration.toDays() * 86_400 == duration.getSeconds() ? duration.toDays() + " days" : duration.toString();
    }
}
