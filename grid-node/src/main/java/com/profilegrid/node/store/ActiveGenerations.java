package com.profilegrid.node.store;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.profilegrid.model.Generation;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A member's live copy of the meta map (which generation readers use, shared and per project), kept by a listener.
 * The stores' generation gate asks it where it must not make a remote call: on a partition thread, where Hazelcast
 * runs an entry processor's backup and loads the backup's missing entry from the store. Elsewhere the gate reads the
 * meta map itself. The copy can lag a generation switch by the listener's delivery; the switch persists the new
 * generation before it flips the meta map, so a lagging answer only delays a load or a write of the retired one.
 *
 * <p>The node puts one, unwatched, in the member's user context before the member starts, and watches the meta map
 * once the member is up ({@link #watch}).
 */
public final class ActiveGenerations implements EntryAddedListener<String, Integer>,
        EntryUpdatedListener<String, Integer>, EntryRemovedListener<String, Integer> {

    public static final String USER_CONTEXT_KEY = "profilegrid.active-generations";

    private final Map<String, Integer> meta = new ConcurrentHashMap<>();
    private volatile boolean watching;
    private IMap<String, Integer> map;
    private UUID registration;

    /** The copy the member holds in its user context, or {@code null} if none. */
    public static ActiveGenerations of(HazelcastInstance member) {
        Object held = member.getUserContext().get(USER_CONTEXT_KEY);
        return held instanceof ActiveGenerations generations ? generations : null;
    }

    /** Starts following the member's meta map; from then on {@link #active} answers. */
    public synchronized AutoCloseable watch(HazelcastInstance member) {
        map = Generation.meta(member);
        registration = map.addEntryListener(this, true);
        map.entrySet().forEach(entry -> meta.putIfAbsent(entry.getKey(), entry.getValue()));
        watching = true;
        return this::close;
    }

    /** The generation readers of {@code project} use, or {@code null} while this copy does not follow the map yet. */
    public Generation active(String project) {
        if (!watching) {
            return null;
        }
        Integer own = meta.get(Generation.PROJECT_KEY_PREFIX + project);
        if (own != null) {
            return new Generation(own);
        }
        Integer shared = meta.get(Generation.ACTIVE_KEY);
        return new Generation(shared == null ? 0 : shared);
    }

    @Override
    public void entryAdded(EntryEvent<String, Integer> event) {
        meta.put(event.getKey(), event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, Integer> event) {
        meta.put(event.getKey(), event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, Integer> event) {
        meta.remove(event.getKey());
    }

    private synchronized void close() {
        watching = false;
        if (map != null && registration != null) {
            try {
                map.removeEntryListener(registration);
            } catch (RuntimeException e) {
                // the member is shutting down: its listeners go with it
            }
        }
    }
}
