package com.profilegrid.pipelines.state;

import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** A raw id applies each log position once, per shard, whatever replays it sees. */
class RawIdEntryTest {

    static final ProfileFold FOLD = new ProfileFold(FoldSettings.DEFAULTS);
    static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    static LogRecord record(long shard, long seq, String messageId) {
        return record(shard, seq, messageId, "u1");
    }

    /** A track event of user {@code userId} in project acme at {@code seq} of {@code shard}. */
    static LogRecord record(long shard, long seq, String messageId, String userId) {
        return new LogRecord(shard, seq, new TrackingEvent("acme", messageId, EventType.TRACK, "Viewed", null, userId,
                null, null, T0.plusSeconds(seq), T0.plusSeconds(seq), "{}", "{}", "{}", "{}"));
    }

    @Test
    void when_positions_are_replayed_then_each_is_applied_once_per_shard() {
        RawIdEntry entry = RawIdEntry.empty("acme", "user:u1");
        entry = entry.apply(record(1, 10, "a"), FOLD).orElseThrow();
        entry = entry.apply(record(2, 3, "b"), FOLD).orElseThrow(); // another shard has its own position
        entry = entry.apply(record(1, 11, "c"), FOLD).orElseThrow();

        assertThat(entry.apply(record(1, 10, "a"), FOLD)).isEmpty();
        assertThat(entry.apply(record(1, 11, "c"), FOLD)).isEmpty();
        assertThat(entry.apply(record(2, 3, "b"), FOLD)).isEmpty();
        assertThat(entry.version()).isEqualTo(3);
        assertThat(entry.applied()).containsEntry(1L, 11L).containsEntry(2L, 3L);
        assertThat(entry.partial().eventCounts()).containsEntry("Viewed", 3L);
        assertThat(entry.currentProfileId()).isEqualTo("user:u1");
    }

    @Test
    void when_identity_decisions_arrive_late_or_twice_then_the_newest_revision_wins() {
        RawIdEntry anon = RawIdEntry.empty("acme", "anon:a1").apply(record(1, 1, "a"), FOLD).orElseThrow();
        RawIdEntry moved = anon.decided("user:u1", 5).orElseThrow();

        assertThat(moved.currentProfileId()).isEqualTo("user:u1");
        assertThat(moved.decided("user:u2", 4)).isEmpty(); // an older decision, late
        assertThat(moved.decided("user:u1", 5)).isEmpty(); // the same one again
        assertThat(moved.decided("user:u2", 6).orElseThrow().currentProfileId()).isEqualTo("user:u2");
        assertThat(moved.partial()).isEqualTo(anon.partial());
        assertThat(moved.version()).isEqualTo(anon.version());
    }
}
