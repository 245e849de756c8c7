package com.profilegrid.node.store;

import com.profilegrid.pipelines.state.KeysByPartition;
import com.profilegrid.pipelines.state.StatePrefetch;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The member's {@link StatePrefetch}: by map name, the store of that map (registered as Hazelcast creates them). */
public final class StorePrefetch implements StatePrefetch {

    private final Map<String, KeyedTableStore<?, ?>> stores = new ConcurrentHashMap<>();

    /** {@code store} is the store of the map {@code name}. */
    public <S extends KeyedTableStore<?, ?>> S register(String name, S store) {
        stores.put(name, store);
        return store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Runnable prefetch(String map, KeysByPartition<?> keys) {
        KeyedTableStore<Object, ?> store = (KeyedTableStore<Object, ?>) stores.get(map);
        return store == null ? () -> { } : store.prefetch((KeysByPartition<Object>) keys);
    }

    /**
     * Reads ahead the rows of {@code keys} this member owns in the map {@code map} (see
     * {@link KeyedTableStore#readAhead}), before an operation on that map that will load them; the handle forgets what
     * it did not use.
     *
     * @throws ProfileStoreException when the database cannot be read
     */
    @SuppressWarnings("unchecked")
    public Runnable readAhead(String map, Collection<?> keys) {
        KeyedTableStore<Object, ?> store = (KeyedTableStore<Object, ?>) stores.get(map);
        return store == null || keys.isEmpty() ? () -> { } : store.readAhead((Collection<Object>) keys);
    }

    /**
     * Puts into {@code held} what {@code map} holds in memory of {@code keys} ({@code getEntryView}, which never
     * loads), and reads ahead the rows of the others (see {@link #readAhead}), before an operation on {@code map} that
     * would load them; the handle forgets what it did not use.
     *
     * @throws ProfileStoreException when the database cannot be read
     */
    public <K, S> Runnable readAheadCold(com.hazelcast.map.IMap<K, S> map, Collection<K> keys, Map<K, S> held) {
        java.util.List<K> cold = new java.util.ArrayList<>();
        for (K key : keys) {
            com.hazelcast.core.EntryView<K, S> view = map.getEntryView(key);
            if (view == null) {
                cold.add(key);
            } else {
                held.put(key, view.getValue());
            }
        }
        return readAhead(map.getName(), cold);
    }

    /** Keys the state maps' stores asked the database for on partition threads so far, all maps together. */
    public long partitionThreadLoads() {
        return stores.values().stream().mapToLong(KeyedTableStore::partitionThreadLoads).sum();
    }

    /** Keys the state maps' stores asked the database for in read-aheads so far, all maps together. */
    public long rowsAskedAhead() {
        return stores.values().stream().mapToLong(KeyedTableStore::rowsAskedAhead).sum();
    }

    /** The member's read-ahead registry, if its maps store in a database. */
    public static StorePrefetch of(com.hazelcast.core.HazelcastInstance member) {
        return member.getUserContext().get(USER_CONTEXT_KEY) instanceof StorePrefetch prefetch ? prefetch : null;
    }
}
