package com.profilegrid.node.store;

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

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Maps a {@link Profile} to a row of the {@code profiles} table and back, exactly: reading a written row
 * gives an equal profile. Collections are JSON text with sorted keys; property values keep their JSON text
 * verbatim so that nothing is re-formatted on the way.
 */
final class ProfileRows {

    static final String COLUMNS = "project, profile_id, user_id, anonymous_ids, emails, properties, event_counts, "
            + "labels, first_seen_ms, last_seen_ms, visits, visit_spans, recent_events";
    static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

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
        statement.setString(4, write(new TreeSet<>(profile.identities().anonymousIds())));
        statement.setString(5, write(new TreeSet<>(profile.identities().emails())));
        Map<String, StoredProperty> properties = new TreeMap<>();
        profile.properties().forEach((name, value) ->
                properties.put(name, new StoredProperty(value.json(), value.setAt().toEpochMilli(), value.messageId())));
        statement.setString(6, write(properties));
        statement.setString(7, write(new TreeMap<>(profile.eventCounts())));
        statement.setString(8, write(new TreeSet<>(profile.labels())));
        setMillis(statement, 9, profile.firstSeen());
        setMillis(statement, 10, profile.lastSeen());
        statement.setInt(11, profile.visitCount());
        statement.setString(12, write(profile.visits().stream()
                .map(visit -> new long[] {visit.start().toEpochMilli(), visit.end().toEpochMilli()}).toList()));
        statement.setString(13, write(profile.recentEvents().stream()
                .map(e -> new StoredEvent(e.messageId(), e.type().wireName(), e.name(), e.timestamp().toEpochMilli()))
                .toList()));
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
                read(row.getString("labels"), STRING_SET));
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

    /** {@code value} as JSON text with sorted keys. */
    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ProfileStoreException("cannot write profile column as JSON", e);
        }
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
