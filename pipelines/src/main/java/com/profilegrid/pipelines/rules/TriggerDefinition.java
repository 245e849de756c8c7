package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A trigger of a project as stored: its definition's JSON text ({@code on}, {@code webhook}, {@code onBackfill}),
 * as accepted. Held in the {@link #MAP} map (key {@code project␟name}), written through to the {@code triggers}
 * table.
 */
public record TriggerDefinition(String project, String name, String definition, Instant created, Instant updated) {

    /** The map of every project's triggers. */
    public static final String MAP = "triggers";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TriggerDefinition {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(definition, "definition");
        created = Objects.requireNonNull(created, "created").truncatedTo(ChronoUnit.MILLIS);
        updated = Objects.requireNonNull(updated, "updated").truncatedTo(ChronoUnit.MILLIS);
    }

    /** The trigger, read with {@code parser} (which checked it when it was accepted). */
    public Trigger parsed(TriggerParser parser) {
        try {
            return parser.parse(project, name, JSON.readTree(definition));
        } catch (JsonProcessingException e) {
            throw new RuleException("", "not JSON: " + e.getOriginalMessage());
        }
    }
}
