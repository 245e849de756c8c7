package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryEvictedListener;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the entries that maps of a generation under construction evict. Such a generation reads and writes no table
 * until readers switch to it, so an entry it evicts is lost, not stored: the rebuild would go on without that raw id's
 * or profile's events and then store the gap. A rebuild watches its generation's state maps and fails when they evict
 * anything (the generation in use stays as it was).
 */
final class EvictionWatch implements AutoCloseable {

    private final List<IMap<?, ?>> maps = new ArrayList<>();
    private final List<UUID> listeners = new ArrayList<>();
    private final AtomicLong evicted = new AtomicLong();

    EvictionWatch(HazelcastInstance member, List<String> mapNames) {
        for (String name : mapNames) {
            IMap<Object, Object> map = member.getMap(name);
            EntryEvictedListener<Object, Object> listener = event -> evicted.incrementAndGet();
            listeners.add(map.addEntryListener(listener, false));
            maps.add(map);
        }
    }

    long evicted() {
        return evicted.get();
    }

    /** Throws when anything was evicted, with what a user can do about it. */
    void check(int generation) {
        long count = evicted.get();
        if (count > 0) {
            throw new IllegalStateException("the rebuild needs more memory than the profile heap budget: generation "
                    + generation + " evicted " + count + " entries it could not store yet (a generation stores nothing "
                    + "until readers switch to it). Readers keep the generation they had. Give the nodes more heap, "
                    + "a larger --profile-heap-percent or more members, or rebuild one project at a time");
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < maps.size(); i++) {
            try {
                maps.get(i).removeEntryListener(listeners.get(i));
            } catch (RuntimeException e) {
                // the member is stopping: its listeners go with it
            }
        }
    }
}
