package com.profilegrid.node.rebuild;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This member's holds on profile jobs' log sources, and where each held source processor stopped
 * ({@link com.profilegrid.pipelines.profile.DurableProgress#held}). A rebuild holds the jobs of the generations readers
 * leave just before it switches them: the events those jobs have read are then all the switch has to wait for, and
 * nothing they apply after it can put a profile in the old generation ahead of the new one. A hold lapses after its
 * time on this member's clock, so a rebuild whose member dies cannot leave a job stopped.
 */
public final class SourceHolds {

    /** Per held job, when its hold lapses ({@link System#nanoTime()}). */
    private final Map<String, Long> until = new ConcurrentHashMap<>();
    private final Map<String, Stops> stops = new ConcurrentHashMap<>();

    /** Holds {@code job}'s source processors on this member for at most {@code upTo}. */
    public void hold(String job, Duration upTo) {
        stops.remove(job);
        until.put(job, System.nanoTime() + upTo.toNanos());
    }

    public void release(String job) {
        until.remove(job);
        stops.remove(job);
    }

    public boolean held(String job) {
        Long deadline = until.get(job);
        if (deadline == null) {
            return false;
        }
        if (System.nanoTime() - deadline >= 0) {
            until.remove(job, deadline);
            return false;
        }
        return true;
    }

    /**
     * Notes where processor {@code index} of {@code parallelism} stopped. A processor that stops again lower (its job
     * restored from a snapshot meanwhile) keeps the higher position: what it applied before the restore stays applied.
     */
    public void holding(String job, int index, int parallelism, Map<Long, Long> cursors) {
        if (until.containsKey(job)) {
            stops.computeIfAbsent(job, name -> new Stops(parallelism, new ConcurrentHashMap<>()))
                    .byProcessor.merge(index, Map.copyOf(cursors), Stops::higher);
        }
    }

    /** Where the held processors of {@code job} on this member stopped (none reported yet: empty). */
    public Stops stops(String job) {
        Stops held = stops.get(job);
        return held == null ? new Stops(0, Map.of()) : new Stops(held.parallelism, new HashMap<>(held.byProcessor));
    }

    /**
     * Where held source processors stopped.
     *
     * @param parallelism the job's source processors in the cluster (0: none reported)
     * @param byProcessor per processor index, its position per shard
     */
    public record Stops(int parallelism, Map<Integer, Map<Long, Long>> byProcessor) implements Serializable {

        /** Whether every source processor of the job has reported, across {@code parts} (one per member). */
        public static boolean complete(Iterable<Stops> parts) {
            int parallelism = 0;
            java.util.Set<Integer> reported = new java.util.HashSet<>();
            for (Stops part : parts) {
                parallelism = Math.max(parallelism, part.parallelism);
                reported.addAll(part.byProcessor.keySet());
            }
            return parallelism > 0 && reported.size() >= parallelism;
        }

        /** The highest position per shard across {@code parts}. */
        public static Map<Long, Long> positions(Iterable<Stops> parts) {
            Map<Long, Long> positions = new HashMap<>();
            for (Stops part : parts) {
                part.byProcessor.values().forEach(cursors -> cursors.forEach((shard, seq) ->
                        positions.merge(shard, seq, Math::max)));
            }
            return positions;
        }

        static Map<Long, Long> higher(Map<Long, Long> one, Map<Long, Long> other) {
            Map<Long, Long> max = new HashMap<>(one);
            other.forEach((shard, seq) -> max.merge(shard, seq, Math::max));
            return max;
        }
    }
}
