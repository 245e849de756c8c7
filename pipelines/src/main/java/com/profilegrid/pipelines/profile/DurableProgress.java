package com.profilegrid.pipelines.profile;

import java.util.List;
import java.util.Map;

/**
 * Where a profile job's progress outlives the job: the log positions whose effects are stored, and the identity links
 * its graphs have followed. A job that starts without a snapshot (after a full-cluster restart, or when two members
 * were lost at once) starts from those positions, its identity graphs given those links first, instead of folding
 * the log from its beginning. A member offers it in its user context ({@link #USER_CONTEXT_KEY}); without it a job
 * starts from the log's beginning.
 */
public interface DurableProgress {

    /** The key of the member's durable progress in {@link com.hazelcast.core.HazelcastInstance#getUserContext()}. */
    String USER_CONTEXT_KEY = "profilegrid.durable-progress";

    /**
     * The stored positions of {@code job} per shard: every event of a shard up to its position has its effects stored
     * (empty when the job has none).
     */
    Map<Long, Long> positions(String job);

    /**
     * Tells that every event of each shard up to its position in {@code applied} has been applied to {@code job}'s
     * maps (in memory). Called on a processor's thread: it must not block. The member stores the positions once it has
     * stored what the maps hold.
     */
    void applied(String job, Map<Long, Long> applied);

    /** Records links the identity graphs followed (each pair of ids keeps its earliest link). */
    void saveLinks(List<LinkSeed> links);

    /** Up to {@code limit} recorded links after {@code after} ({@code null}: from the first), in a stable order. */
    List<LinkSeed> links(LinkSeed after, int limit);
}
