package com.profilegrid.node.log;

import com.profilegrid.pipelines.profile.LogRecord;

import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** Maps a {@link TrackingEvent} to a row of {@code tracking_log} and back. */
final class LogRows {

    static final String COLUMNS = "shard, seq, project, message_id, type, event_name, anonymous_id, user_id, "
            + "previous_id, group_id, event_time_ms, received_ms, properties, traits, context, raw";
    /** The columns of {@link #read}, with the message as received left out (read as the empty string). */
    static final String COLUMNS_TO_FOLD = COLUMNS.replace(", raw", ", '' AS raw");
    static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    private LogRows() {
    }

    /** Binds one row starting at parameter {@code first}. */
    static void bind(PreparedStatement statement, int first, long shard, long seq, TrackingEvent event) throws SQLException {
        int i = first;
        statement.setLong(i++, shard);
        statement.setLong(i++, seq);
        statement.setString(i++, event.project());
        statement.setString(i++, event.messageId());
        statement.setString(i++, event.type().wireName());
        statement.setString(i++, event.eventName());
        statement.setString(i++, event.anonymousId());
        statement.setString(i++, event.userId());
        statement.setString(i++, event.previousId());
        statement.setString(i++, event.groupId());
        statement.setLong(i++, event.timestamp().toEpochMilli());
        statement.setLong(i++, event.receivedAt().toEpochMilli());
        statement.setString(i++, event.properties());
        statement.setString(i++, event.traits());
        statement.setString(i++, event.context());
        statement.setString(i, event.raw());
    }

    static LogRecord read(ResultSet row) throws SQLException {
        TrackingEvent event = new TrackingEvent(
                row.getString("project"),
                row.getString("message_id"),
                EventType.ofWireName(row.getString("type")),
                row.getString("event_name"),
                row.getString("anonymous_id"),
                row.getString("user_id"),
                row.getString("previous_id"),
                row.getString("group_id"),
                Instant.ofEpochMilli(row.getLong("event_time_ms")),
                Instant.ofEpochMilli(row.getLong("received_ms")),
                row.getString("properties"),
                row.getString("traits"),
                row.getString("context"),
                row.getString("raw"));
        return new LogRecord(row.getLong("shard"), row.getLong("seq"), event);
    }
}
