package com.profilegrid.pipelines.profile;

import java.util.List;
import java.util.Map;

/**
 * Read access to the tracking log, as the profile pipeline needs it: the shards, and each shard's records
 * in seq order. Members put theirs in the Hazelcast user context under {@link #USER_CONTEXT_KEY}, where
 * the pipeline's source finds it.
 */
public interface TrackingLogReader {

    String USER_CONTEXT_KEY = "profilegrid.trackingLog";

    /** A shard of the log, and whether its writer closed it (then nothing is added to it any more). */
    record Shard(long id, boolean closed) {
    }

    /** All shards, in creation order. */
    List<Shard> listShards();

    /** The ids of all shards, in creation order. */
    default List<Long> shards() {
        return listShards().stream().map(Shard::id).toList();
    }

    /**
     * Grows whenever this member's own writer commits to the log: a reader of {@link #localShard()} on the same
     * member that sees it change knows there is something new to read without polling for it.
     */
    default long localCommits() {
        return 0;
    }

    /** The shard this member's own writer appends to, or -1 when there is none. */
    default long localShard() {
        return -1;
    }

    /** Up to {@code limit} records of {@code shard} after {@code afterSeq}, in seq order. */
    default List<LogRecord> read(long shard, long afterSeq, int limit) {
        return read(shard, afterSeq, limit, null);
    }

    /**
     * Up to {@code limit} records of {@code shard} after {@code afterSeq}, in seq order, of {@code project} only
     * ({@code null} for every project).
     */
    List<LogRecord> read(long shard, long afterSeq, int limit, String project);

    /**
     * What {@link #read(long, long, int, String)} gives, for the profile pipeline: its events may come without the
     * message as received ({@link com.profilegrid.model.TrackingEvent#raw()} empty), which no fold, rule or trigger
     * reads. A log that stores it apart leaves it out, so the pipeline neither reads nor ships about half of each
     * event's bytes.
     */
    default List<LogRecord> readToFold(long shard, long afterSeq, int limit, String project) {
        return read(shard, afterSeq, limit, project);
    }

    /**
     * The last position of each shard that has records (of {@code project} only, unless {@code null}); or {@code null}
     * when this log cannot read in key order ({@link #readSorted}).
     */
    default Map<Long, Long> lastPositions(String project) {
        return null;
    }

    /**
     * Opens a read of the shards of {@code ends}, each up to its end, in {@link SortedRead.Key} order, of {@code project}
     * only (unless {@code null}). A shard with a key in {@code after} starts after that key (what an earlier read of it
     * gave up to); the others start at their beginning.
     */
    default SortedRead readSorted(Map<Long, Long> ends, Map<Long, SortedRead.Key> after, String project) {
        throw new UnsupportedOperationException("this log reads in position order only");
    }
}
