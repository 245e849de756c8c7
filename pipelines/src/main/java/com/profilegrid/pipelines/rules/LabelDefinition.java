package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A label (segment) of a project: a profile is a member while {@code rule} matches it. Held in the {@link #MAP} map
 * (key {@code project␟name}), written through to the {@code labels} table.
 *
 * @param project the project
 * @param name    the label's name ({@link #NAME}: letters, digits, {@code _ . -}, up to 64, starting with a letter or
 *                digit)
 * @param rule    the rule's JSON text, as accepted ({@link RuleParser} read it)
 * @param created when the label was created
 * @param updated when its rule last changed
 */
public record LabelDefinition(String project, String name, String rule, Instant created, Instant updated) {

    /** The map of every project's labels. */
    public static final String MAP = "labels";
    /** What a label's name may be. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private static final ObjectMapper JSON = new ObjectMapper();

    public LabelDefinition {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rule, "rule");
        // kept as epoch milliseconds: what the table and the serializer hold, so a definition reads back equal
        created = Objects.requireNonNull(created, "created").truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        updated = Objects.requireNonNull(updated, "updated").truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** The rule, read with {@code parser} (which checked it when the label was accepted). */
    public Rule parsedRule(RuleParser parser) {
        try {
            return parser.parse(JSON.readTree(rule), "/rule");
        } catch (JsonProcessingException e) {
            throw new RuleException("/rule", "not JSON: " + e.getOriginalMessage());
        }
    }

    /** This label with another rule, changed at {@code at}. */
    public LabelDefinition withRule(String newRule, Instant at) {
        return new LabelDefinition(project, name, newRule, created, at);
    }
}
