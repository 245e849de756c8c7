package com.profilegrid.pipelines.profile;

import com.profilegrid.model.TrackingEvent;

import java.io.Serializable;
import java.util.List;

/**
 * A read of some shards of the tracking log, each up to an end position, in order of {@link Key}: project, then the
 * visitor id an event's steps are keyed by (its user id, else its anonymous id), then shard and position. A rebuild
 * that reads the log this way meets each visitor's events together, whatever order the traffic had, so its map steps
 * touch each entry about once instead of once per event (docs/profile-state.md, "A rebuild reads the log by visitor").
 * Open while it is read; {@link #close()} ends it.
 */
public interface SortedRead extends AutoCloseable {

    /** Up to {@code limit} next records in key order; fewer only at the end. */
    List<LogRecord> next(int limit);

    @Override
    void close();

    /**
     * A record's place in the order: {@code project}, then {@code id} ({@code "u"} and the user id, else {@code "a"} and
     * the anonymous id, else empty), then {@code shard} and {@code seq}. Every event of one raw id (the key of the
     * pipeline's raw-id steps) has the same project and id, so a raw id's events of a shard keep their log order.
     */
    record Key(String project, String id, long shard, long seq) implements Serializable {

        public static Key of(LogRecord record) {
            TrackingEvent event = record.event();
            return new Key(event.project(), idOf(event.userId(), event.anonymousId()), record.shard(), record.seq());
        }

        /** The id part of the key: what the log's {@code ORDER BY} computes from the same two columns. */
        public static String idOf(String userId, String anonymousId) {
            return userId != null ? "u" + userId : anonymousId != null ? "a" + anonymousId : "";
        }
    }
}
