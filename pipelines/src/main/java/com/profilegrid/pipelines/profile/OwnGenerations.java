package com.profilegrid.pipelines.profile;

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
 * A member's live copy of which projects have a generation of their own (a rebuild of one project gave them one),
 * kept current by a listener on the meta map, so that a profile job can ask per event, without a remote call,
 * whether a project has moved on to a newer generation than the one it fills.
 */
public final class OwnGenerations implements EntryAddedListener<String, Integer>, EntryUpdatedListener<String, Integer>,
        EntryRemovedListener<String, Integer> {

    private final IMap<String, Integer> meta;
    private final Map<String, Integer> own = new ConcurrentHashMap<>();
    private final UUID registration;

    public OwnGenerations(HazelcastInstance member) {
        this.meta = Generation.meta(member);
        this.registration = meta.addEntryListener(this, true);
        Generation.ownGenerations(member).forEach((project, generation) -> own.putIfAbsent(project, generation.number()));
    }

    /** Whether readers of {@code project} use a generation newer than {@code generation}. */
    public boolean movedOn(String project, int generation) {
        Integer number = own.get(project);
        return number != null && number > generation;
    }

    @Override
    public void entryAdded(EntryEvent<String, Integer> event) {
        entryUpdated(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, Integer> event) {
        String project = Generation.projectOfKey(event.getKey());
        if (project != null) {
            own.put(project, event.getValue());
        }
    }

    @Override
    public void entryRemoved(EntryEvent<String, Integer> event) {
        String project = Generation.projectOfKey(event.getKey());
        if (project != null) {
            own.remove(project);
        }
    }

    public void close() {
        meta.removeEntryListener(registration);
    }
}
