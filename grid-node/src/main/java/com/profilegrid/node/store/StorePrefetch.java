package com.profilegrid.node.store;

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
    public Runnable prefetch(String map, Collection<?> keys) {
        KeyedTableStore<Object, ?> store = (KeyedTableStore<Object, ?>) stores.get(map);
        return store == null ? () -> { } : store.prefetch((Collection<Object>) keys);
    }
}
