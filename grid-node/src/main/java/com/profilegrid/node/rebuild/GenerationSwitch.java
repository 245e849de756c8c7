package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.node.store.MetaTable;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What only the server does with generations: reserve a new one, switch readers to it, and the lock under which a
 * rebuild does both. Readers ({@link Generation}, in the SDK) only find the active one. Each change is written to the
 * database ({@link MetaTable}) before the meta map, so that a full-cluster restart finds the generations in use.
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
    public static Generation reserveNext(HazelcastInstance hazelcast, MetaTable table) {
        IMap<String, Integer> meta = Generation.meta(hazelcast);
        int newest = meta.getOrDefault(NEWEST_KEY, 0);
        newest = Math.max(newest, Generation.active(hazelcast).number());
        for (Generation own : Generation.ownGenerations(hazelcast).values()) {
            newest = Math.max(newest, own.number());
        }
        int reserved = newest + 1;
        change(meta, table, copy -> copy.put(NEWEST_KEY, reserved));
        return new Generation(reserved);
    }

    /** Makes {@code generation} the shared one, read for every project; projects' own generations are dropped. */
    public static void activate(HazelcastInstance hazelcast, Generation generation, MetaTable table) {
        change(Generation.meta(hazelcast), table, copy -> {
            copy.put(Generation.ACTIVE_KEY, generation.number());
            copy.keySet().removeIf(key -> key.startsWith(Generation.PROJECT_KEY_PREFIX));
        });
    }

    /** Makes {@code generation} the one readers of {@code project} use. */
    public static void activate(HazelcastInstance hazelcast, Generation generation, String project, MetaTable table) {
        change(Generation.meta(hazelcast), table,
                copy -> copy.put(Generation.PROJECT_KEY_PREFIX + project, generation.number()));
    }

    /**
     * After a full-cluster restart the meta map is empty: fills it from the table (a member joining a running cluster
     * finds it filled and changes nothing).
     */
    public static void restore(HazelcastInstance hazelcast, MetaTable table) {
        IMap<String, Integer> meta = Generation.meta(hazelcast);
        if (!meta.isEmpty()) {
            return;
        }
        table.load().forEach(meta::putIfAbsent);
    }

    /** Writes the changed copy of the meta map to the table, then the change to the map. */
    private static void change(IMap<String, Integer> meta, MetaTable table, Consumer<Map<String, Integer>> edit) {
        Map<String, Integer> before = new HashMap<>(meta);
        Map<String, Integer> after = new HashMap<>(before);
        edit.accept(after);
        table.replace(after);
        after.forEach(meta::set);
        before.keySet().stream().filter(key -> !after.containsKey(key)).forEach(meta::delete);
    }
}
