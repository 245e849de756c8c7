package com.profilegrid.pipelines.profile;

import java.util.List;

/**
 * Read access to the tracking log, as the profile pipeline needs it: the shards, and each shard's records
 * in seq order. Members put theirs in the Hazelcast user context under {@link #USER_CONTEXT_KEY}, where
 * the pipeline's source finds it.
 */
public interface TrackingLogReader {

    String USER_CONTEXT_KEY = "profilegrid.trackingLog";

    /** All shards, in creation order. */
    List<Long> shards();

    /** Up to {@code limit} records of {@code shard} after {@code afterSeq}, in seq order. */
    default List<LogRecord> read(long shard, long afterSeq, int limit) {
        return read(shard, afterSeq, limit, null);
    }

    /**
     * Up to {@code limit} records of {@code shard} after {@code afterSeq}, in seq order, of {@code project} only
     * ({@code null} for every project).
     */
    List<LogRecord> read(long shard, long afterSeq, int limit, String project);
}
