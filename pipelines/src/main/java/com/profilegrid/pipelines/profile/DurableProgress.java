package com.profilegrid.pipelines.profile;

import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.pipelines.identity.ProjectLink;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where a profile job's progress outlives the job: the log positions whose effects are stored, and the identity links
 * the graphs have followed. A job that starts without a snapshot (after a full-cluster restart, or when two members
 * were lost at once) starts from those positions instead of folding the log from its beginning, and the identity
 * graphs hold only the clusters of ids in use, reading the others' links back from here when an event needs them.
 * A member offers it in its user context ({@link #USER_CONTEXT_KEY}); the profile job needs it.
 */
public interface DurableProgress {

    /** The key of the member's durable progress in {@link com.hazelcast.core.HazelcastInstance#getUserContext()}. */
    String USER_CONTEXT_KEY = "profilegrid.durable-progress";

    /** The durable progress {@code member} offers in its user context; the profile job cannot run without it. */
    static DurableProgress of(HazelcastInstance member) {
        Object progress = member.getUserContext().get(USER_CONTEXT_KEY);
        if (progress == null) {
            throw new IllegalStateException("no durable progress in the member's user context under "
                    + USER_CONTEXT_KEY + ": the profile job reads its stored positions and identity links there");
        }
        return (DurableProgress) progress;
    }

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

    /**
     * Whether the log source of {@code job} must read nothing more for now: a rebuild holds the jobs of the generations
     * readers leave while it switches them, so that the generation they switch to has applied at least what those had
     * (a reader never sees a profile lose an event at the switch). A hold ends when it is released or after its time.
     * Called on a processor's thread: it must not block.
     */
    default boolean held(String job) {
        return false;
    }

    /**
     * Tells, while {@code job} is {@link #held}, where its source processor {@code index} of {@code parallelism} stopped:
     * it has read each shard up to its position in {@code cursors}, and reads no further until the hold ends.
     */
    default void holding(String job, int index, int parallelism, Map<Long, Long> cursors) {
    }

    /**
     * A new epoch for the revisions of a run of the identity graphs: at least {@code atLeast}, and above every epoch
     * handed out before (by any member, in any run) by at least {@code span}, so that a run's decisions outrank every
     * earlier run's even when the clocks of members disagree.
     */
    long nextEpoch(long atLeast, long span);

    /** Records links the identity graphs followed (each pair of ids keeps its earliest link). */
    void saveLinks(Collection<ProjectLink> links);

    /** The recorded links of {@code project} that have one of {@code ids} at either end. */
    List<ProjectLink> linksTouching(String project, Collection<String> ids);
}
