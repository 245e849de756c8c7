package com.profilegrid.pipelines.profile;

import com.profilegrid.model.GridMaps;

import java.time.Instant;

/**
 * An event of the tracking log the profile pipeline could not fold, kept so that an operator can see it, while the
 * job goes on with every other event. Keyed by {@link #key()}: a replay of the same event finds its letter there and
 * leaves it (and its {@code firstSeen}) as it was.
 *
 * @param project   the event's project
 * @param messageId the event's message id
 * @param shard     the log shard that holds it
 * @param seq       its position in that shard
 * @param reason    why it could not be folded
 * @param firstSeen when the pipeline first met it (the wall clock of the member that recorded it)
 */
public record DeadLetter(String project, String messageId, long shard, long seq, String reason, Instant firstSeen) {

    /** The map of every generation's dead letters, keyed by {@link #key()}. */
    public static final String MAP = "dead-letters";

    /** The key of the letter in the dead-letters map: {@code project␟messageId}. */
    public String key() {
        return GridMaps.projectKey(project, messageId);
    }

    public DeadLetter withFirstSeen(Instant time) {
        return new DeadLetter(project, messageId, shard, seq, reason, time);
    }

    public static DeadLetter of(LogRecord record, String reason) {
        return new DeadLetter(record.event().project(), record.event().messageId(), record.shard(), record.seq(),
                reason, null);
    }
}
