package com.profilegrid.node.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.node.support.JsonText;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a {@link Profile} to a row of the {@code profiles} table and back, exactly: reading a written row
 * gives an equal profile. Collections are JSON text with sorted keys; property values keep their JSON text
 * verbatim so that nothing is re-formatted on the way.
 */
final class ProfileRows {

    static final String COLUMNS = "project, profile_id, user_id, anonymous_ids, emails, properties, event_counts, "
            + "labels, first_seen_ms, last_seen_ms, visits, visit_spans, recent_events, daily_counts";
    static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    private static final TypeReference<Set<String>> STRING_SET = new TypeReference<>() { };
    private static final TypeReference<Map<String, Long>> COUNTS = new TypeReference<>() { };
    private static final TypeReference<Map<String, StoredProperty>> PROPERTIES = new TypeReference<>() { };
    private static final TypeReference<List<long[]>> SPANS = new TypeReference<>() { };
    private static final TypeReference<List<StoredEvent>> EVENTS = new TypeReference<>() { };

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** A property as stored: its JSON text, the event time (epoch ms) and message id that set it. */
    record StoredProperty(String json, long setAt, String messageId) {
    }

    /** A recent event as stored. */
    record StoredEvent(String messageId, String type, String name, long timestamp) {
    }

    void bind(PreparedStatement statement, Profile profile) throws SQLException {
        statement.setString(1, profile.project());
        statement.setString(2, profile.profileId());
        statement.setString(3, profile.identities().userId());
        statement.setString(4, writeStrings(profile.identities().anonymousIds()));
        statement.setString(5, writeStrings(profile.identities().emails()));
        statement.setString(6, writeProperties(profile.properties()));
        statement.setString(7, writeCounts(profile.eventCounts()));
        statement.setString(8, writeStrings(profile.labels()));
        setMillis(statement, 9, profile.firstSeen());
        setMillis(statement, 10, profile.lastSeen());
        statement.setInt(11, profile.visitCount());
        statement.setString(12, writeVisits(profile.visits()));
        statement.setString(13, writeRecentEvents(profile.recentEvents()));
        statement.setString(14, writeCounts(profile.dailyCounts()));
    }

    /*
     * The columns are written with Jackson's streaming generator rather than the object mapper: the text is the same
     * (ProfileRowsTest compares them), and the write-behind renders every changed profile's columns, where the
     * mapper's copies into sorted collections and its per-value lookups of serializers took a twentieth of the node's
     * CPU in a profile of the profiles benchmark.
     */

    /** A set of strings as a JSON array, in string order. */
    String writeStrings(Set<String> values) {
        String[] sorted = values.toArray(String[]::new);
        java.util.Arrays.sort(sorted);
        return generate(out -> {
            out.writeStartArray();
            for (String value : sorted) {
                out.writeString(value);
            }
            out.writeEndArray();
        });
    }

    /** Counters by name as a JSON object, in key order. */
    String writeCounts(Map<String, Long> counts) {
        return writeNumbers(counts);
    }

    /** Numbers by key as a JSON object, in key order, each key's text as its field name. */
    private <K extends Comparable<K>> String writeNumbers(Map<K, Long> numbers) {
        return generate(out -> {
            out.writeStartObject();
            for (Map.Entry<K, Long> number : sortedEntries(numbers)) {
                out.writeNumberField(number.getKey().toString(), number.getValue());
            }
            out.writeEndObject();
        });
    }

    private String writeProperties(Map<String, PropertyValue> properties) {
        return generate(out -> {
            out.writeStartObject();
            for (Map.Entry<String, PropertyValue> property : sortedEntries(properties)) {
                out.writeObjectFieldStart(property.getKey());
                out.writeStringField("json", property.getValue().json());
                out.writeNumberField("setAt", property.getValue().setAt().toEpochMilli());
                out.writeStringField("messageId", property.getValue().messageId());
                out.writeEndObject();
            }
            out.writeEndObject();
        });
    }

    private String writeVisits(List<Visit> visits) {
        return generate(out -> {
            out.writeStartArray();
            for (Visit visit : visits) {
                out.writeStartArray();
                out.writeNumber(visit.start().toEpochMilli());
                out.writeNumber(visit.end().toEpochMilli());
                out.writeEndArray();
            }
            out.writeEndArray();
        });
    }

    private String writeRecentEvents(List<RecentEvent> events) {
        return generate(out -> {
            out.writeStartArray();
            for (RecentEvent event : events) {
                out.writeStartObject();
                out.writeStringField("messageId", event.messageId());
                out.writeStringField("type", event.type().wireName());
                out.writeStringField("name", event.name());
                out.writeNumberField("timestamp", event.timestamp().toEpochMilli());
                out.writeEndObject();
            }
            out.writeEndArray();
        });
    }

    @SuppressWarnings("unchecked")
    private static <K extends Comparable<K>, V> Map.Entry<K, V>[] sortedEntries(Map<K, V> map) {
        Map.Entry<K, V>[] entries = map.entrySet().toArray(Map.Entry[]::new);
        java.util.Arrays.sort(entries, Map.Entry.comparingByKey());
        return entries;
    }

    private String generate(JsonText.Writing column) {
        try {
            return JsonText.of(json, 64, column);
        } catch (java.io.UncheckedIOException e) {
            throw new ProfileStoreException("cannot write profile column as JSON", e.getCause());
        }
    }

    Profile read(ResultSet row) throws SQLException {
        Map<String, PropertyValue> properties = new HashMap<>();
        read(row.getString("properties"), PROPERTIES).forEach((name, stored) ->
                properties.put(name, new PropertyValue(stored.json(), Instant.ofEpochMilli(stored.setAt()), stored.messageId())));
        return new Profile(
                row.getString("project"),
                row.getString("profile_id"),
                new Identities(row.getString("user_id"),
                        read(row.getString("anonymous_ids"), STRING_SET),
                        read(row.getString("emails"), STRING_SET)),
                properties,
                read(row.getString("event_counts"), COUNTS),
                millis(row, "first_seen_ms"),
                millis(row, "last_seen_ms"),
                read(row.getString("visit_spans"), SPANS).stream()
                        .map(span -> new Visit(Instant.ofEpochMilli(span[0]), Instant.ofEpochMilli(span[1]))).toList(),
                read(row.getString("recent_events"), EVENTS).stream()
                        .map(e -> new RecentEvent(e.messageId(), EventType.ofWireName(e.type()), e.name(),
                                Instant.ofEpochMilli(e.timestamp()))).toList(),
                read(row.getString("labels"), STRING_SET),
                read(row.getString("daily_counts"), COUNTS));
    }

    private static void setMillis(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, instant.toEpochMilli());
        }
    }

    private static Instant millis(ResultSet row, String column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    /** JSON text read as {@code type}. */
    <T> T read(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new ProfileStoreException("cannot read profile column JSON", e);
        }
    }
}
