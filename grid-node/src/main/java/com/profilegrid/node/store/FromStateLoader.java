package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.util.ThreadUtil;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapLoader;
import com.hazelcast.map.MapLoaderLifecycleSupport;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads a readers' map (the {@code profiles} or the {@code profile-ids} of a generation) from the state map of the same
 * generation that writes its table ({@code profile-state}, {@code raw-ids}), not from the table itself. The table lags
 * the state map by the write-behind delay: a readers' entry evicted and read again within it loaded the older row and
 * kept it (a profile read back with fewer events than it had, until its next event). The state map answers from
 * memory, from its write-behind queue, or from the table, in that order, so what loads is what the state holds.
 *
 * <p>Keys of a readers' map and of its state map are the same and live in the same partition. A load that runs on a
 * partition thread (which must not wait on another operation) reads the table instead, as does a load outside a
 * member.
 *
 * <p>The state maps run their loads on the partition threads (they do not offload them: a quarter of the profile
 * job's CPU per event), so a load here must not make the state map query the database: that would hold a partition
 * thread, and every read and step of its partitions, for a query's time, or for the pool's timeout while the
 * database is down. So it first asks the state map for what it holds in memory ({@code getEntryView}, which never
 * loads); only for keys not there does it read their rows ahead, here, off the partition threads
 * ({@link StorePrefetch#readAhead}), and then ask the state map, whose load (after its write-behind queue) is
 * answered from what was just read. A database that cannot answer fails the load here.
 *
 * @param <K> the key of both maps
 * @param <V> the readers' value
 * @param <S> the state map's value
 */
public final class FromStateLoader<K, V, S> implements MapLoader<K, V>, MapLoaderLifecycleSupport {

    private final String readersPrefix;
    private final String statePrefix;
    private final Function<S, V> valueOf;
    private final MapLoader<K, V> table;
    private final StorePrefetch prefetch;
    private volatile IMap<K, S> state;

    /**
     * @param readersPrefix the readers' map name of generation 0 (a later generation's adds {@code -g<n>})
     * @param statePrefix   the state map name of generation 0
     * @param valueOf       the readers' value of a state entry ({@code null}: none)
     * @param table         the table loader, for loads that cannot ask the state map
     * @param prefetch      the member's state stores, to read cold keys' rows ahead of the state map's load
     */
    public FromStateLoader(String readersPrefix, String statePrefix, Function<S, V> valueOf, MapLoader<K, V> table,
                           StorePrefetch prefetch) {
        this.readersPrefix = readersPrefix;
        this.statePrefix = statePrefix;
        this.valueOf = valueOf;
        this.table = table;
        this.prefetch = prefetch;
    }

    @Override
    public void init(HazelcastInstance member, Properties properties, String mapName) {
        if (table instanceof MapLoaderLifecycleSupport lifecycle) {
            lifecycle.init(member, properties, mapName);
        }
        if (!mapName.startsWith(readersPrefix)) {
            throw new IllegalArgumentException(mapName + " is not a '" + readersPrefix + "' map");
        }
        state = member.getMap(statePrefix + mapName.substring(readersPrefix.length()));
    }

    @Override
    public void destroy() {
        if (table instanceof MapLoaderLifecycleSupport lifecycle) {
            lifecycle.destroy();
        }
    }

    @Override
    public V load(K key) {
        return loadAll(Set.of(key)).get(key);
    }

    @Override
    public Map<K, V> loadAll(Collection<K> keys) {
        IMap<K, S> from = state;
        if (from == null || ThreadUtil.isRunningOnPartitionThread()) {
            return table.loadAll(keys);
        }
        Map<K, V> found = new HashMap<>();
        Map<K, S> held = new HashMap<>();
        Runnable forget = prefetch.readAheadCold(from, keys, held);
        try {
            held.forEach((key, entry) -> found(found, key, entry));
            Set<K> cold = new HashSet<>(keys);
            cold.removeAll(held.keySet());
            if (!cold.isEmpty()) {
                from.getAll(cold).forEach((key, entry) -> found(found, key, entry));
            }
        } finally {
            forget.run();
        }
        return found;
    }

    private void found(Map<K, V> found, K key, S entry) {
        V value = entry == null ? null : valueOf.apply(entry);
        if (value != null) {
            found.put(key, value);
        }
    }

    /** No keys are preloaded: entries load on first access. */
    @Override
    public Iterable<K> loadAllKeys() {
        return null;
    }
}
