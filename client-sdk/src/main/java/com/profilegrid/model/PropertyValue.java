package com.profilegrid.model;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One property (trait) of a profile: its value as JSON text and the event that set it.
 *
 * <p>Properties are last-writer-wins by (event time, message id), so the winner does not depend on
 * the order in which events arrive.
 *
 * @param json      the value, as JSON text ({@code "\"pro\""}, {@code "42"}, {@code "{\"a\":1}"}, {@code "null"})
 * @param setAt     event time of the event that set it, millisecond precision
 * @param messageId message id of the event that set it
 */
public record PropertyValue(String json, Instant setAt, String messageId) {

    private static final Comparator<PropertyValue> WRITE_ORDER =
            Comparator.comparing(PropertyValue::setAt).thenComparing(PropertyValue::messageId);

    public PropertyValue {
        Objects.requireNonNull(json, "json must not be null");
        Objects.requireNonNull(messageId, "messageId must not be null");
        setAt = Times.toMillis(Objects.requireNonNull(setAt, "setAt must not be null"));
    }

    /** True when this value wins over {@code other} under last-writer-wins by (event time, message id). */
    public boolean supersedes(PropertyValue other) {
        return other == null || WRITE_ORDER.compare(this, other) > 0;
    }
}
