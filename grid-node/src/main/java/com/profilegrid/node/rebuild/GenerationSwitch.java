package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;

/**
 * What only the server does with generations: reserve a new one, switch readers to it, and the lock under which a
 * rebuild does both. Readers ({@link Generation}, in the SDK) only find the active one.
 */
public final class GenerationSwitch {

    /**
     * The key of the cluster-wide lock a rebuild holds while it runs (an {@link IMap} lock on
     * {@value Generation#META_MAP}, released if its member leaves), so that one rebuild runs at a time in the cluster.
     */
    public static final String REBUILD_LOCK = "rebuild";
    private static final String NEWEST_KEY = "newest-generation";

    private GenerationSwitch() {
    }

    /**
     * Reserves a generation number never used before (a failed rebuild's number is not reused). Callers serialise
     * through {@link #REBUILD_LOCK}.
     */
    public static Generation reserveNext(HazelcastInstance hazelcast) {
        IMap<String, Integer> meta = Generation.meta(hazelcast);
        int newest = meta.getOrDefault(NEWEST_KEY, 0);
        newest = Math.max(newest, Generation.active(hazelcast).number());
        for (Generation own : Generation.ownGenerations(hazelcast).values()) {
            newest = Math.max(newest, own.number());
        }
        meta.set(NEWEST_KEY, newest + 1);
        return new Generation(newest + 1);
    }

    /** Makes {@code generation} the shared one, read for every project; projects' own generations are dropped. */
    public static void activate(HazelcastInstance hazelcast, Generation generation) {
        IMap<String, Integer> meta = Generation.meta(hazelcast);
        meta.set(Generation.ACTIVE_KEY, generation.number());
        for (String project : Generation.ownGenerations(hazelcast).keySet()) {
            meta.delete(Generation.PROJECT_KEY_PREFIX + project);
        }
    }

    /** Makes {@code generation} the one readers of {@code project} use. */
    public static void activate(HazelcastInstance hazelcast, Generation generation, String project) {
        Generation.meta(hazelcast).set(Generation.PROJECT_KEY_PREFIX + project, generation.number());
    }
}
