package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The seals ({@link SealRawId}) this member ran on raw-id entries in the last minute, per map and key, in order. A
 * seal is the one write to a raw id's entry from outside the raw-id stage, which otherwise alone writes its keys
 * between a batch's {@code getAll} and its operation (design, step 4). When that operation finds an entry missing
 * (evicted while it ran) it takes what its {@code getAll} read, which a seal may have changed since: it replays the
 * entry's recent seals onto it first ({@link KeySteps}). A seal is a conditional set of one field ({@link
 * RawIdEntry#sealedInto}, {@link RawIdEntry#unsealedFrom}), so replaying seals the read already had changes nothing.
 * A key's seals and its operations run on the partition's thread, so a seal recorded here before an operation is seen
 * by it. Held in the member's user context.
 */
public final class RecentSeals {

    static final String USER_CONTEXT_KEY = "profilegrid.recent-seals";
    /** How long a seal is kept: far longer than a batch's read and its operation take. */
    private static final long KEEP_NANOS = 60_000_000_000L;
    /** Seals kept at most (hot profiles seal 128 ids a round); beyond, the oldest minute goes at once. */
    private static final int MAX_KEYS = 200_000;

    private record Seal(long at, SealRawId seal) {
    }

    private final Map<String, Map<String, List<Seal>>> byMap = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger keys = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong sweptAt = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime());

    /** The member's recent seals. */
    public static RecentSeals of(HazelcastInstance member) {
        return (RecentSeals) member.getUserContext().computeIfAbsent(USER_CONTEXT_KEY, key -> new RecentSeals());
    }

    void record(String map, String key, SealRawId seal) {
        long now = System.nanoTime();
        Map<String, List<Seal>> ofMap = byMap.computeIfAbsent(map, name -> new ConcurrentHashMap<>());
        ofMap.compute(key, (k, seals) -> {
            List<Seal> more = seals == null ? new ArrayList<>(2) : new ArrayList<>(seals);
            if (seals == null) {
                keys.incrementAndGet();
            }
            more.add(new Seal(now, seal));
            return more;
        });
        long swept = sweptAt.get();
        if ((now - swept > KEEP_NANOS || keys.get() > MAX_KEYS) && sweptAt.compareAndSet(swept, now)) {
            sweep(now);
        }
    }

    /** {@code value} with the recent seals of {@code key} in {@code map} replayed onto it, in the order they ran. */
    RawIdEntry replay(String map, String key, RawIdEntry value) {
        Map<String, List<Seal>> ofMap = byMap.get(map);
        List<Seal> seals = ofMap == null ? null : ofMap.get(key);
        if (seals == null) {
            return value;
        }
        long now = System.nanoTime();
        RawIdEntry replayed = value;
        for (Seal seal : seals) {
            if (now - seal.at < KEEP_NANOS) {
                replayed = seal.seal.apply(key, replayed);
            }
        }
        return replayed;
    }

    private void sweep(long now) {
        boolean full = keys.get() > MAX_KEYS;
        byMap.values().forEach(ofMap -> ofMap.entrySet().removeIf(entry -> {
            boolean old = full || now - entry.getValue().get(entry.getValue().size() - 1).at >= KEEP_NANOS;
            if (old) {
                keys.decrementAndGet();
            }
            return old;
        }));
    }
}
