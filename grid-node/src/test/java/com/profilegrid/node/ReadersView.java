package com.profilegrid.node;

import com.hazelcast.map.IMap;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every profile as readers get it. The readers' {@code profiles} map is a read-through cache of the
 * {@code profile-state} map (it holds what was read since its last change), so its own entries are not every profile:
 * the profiles are the state map's keys (member chunks left out) and whatever the readers' map holds besides, each
 * read through the readers' map.
 */
public final class ReadersView {

    private ReadersView() {
    }

    /** Every profile of {@code project} ({@code null}: of every project) through the member's readers' map. */
    public static Map<ProfileKey, Profile> profiles(IMap<ProfileKey, Profile> readers, String project) {
        IMap<ProfileKey, ProfileState> states = stateMapOf(readers);
        Set<ProfileKey> keys = new HashSet<>(states.keySet());
        keys.addAll(readers.keySet());
        keys.removeIf(key -> ProfileState.isMembers(key) || project != null && !key.project().equals(project));
        return readers.getAll(keys).entrySet().stream().filter(entry -> entry.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Every profile of every project. */
    public static Map<ProfileKey, Profile> profiles(IMap<ProfileKey, Profile> readers) {
        return profiles(readers, null);
    }

    /**
     * Every profile a state map holds in memory (member chunks left out): for jobs run on maps of a test's own, whose
     * readers' map has no loader.
     */
    public static Map<ProfileKey, Profile> ofStates(IMap<ProfileKey, ProfileState> states) {
        return states.entrySet().stream().filter(entry -> !ProfileState.isMembers(entry.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().profile()));
    }

    private static IMap<ProfileKey, ProfileState> stateMapOf(IMap<ProfileKey, Profile> readers) {
        if (!(readers instanceof AbstractDistributedObject<?> proxy)) {
            throw new IllegalArgumentException("a member's own map proxy is needed, not " + readers.getClass().getName());
        }
        String suffix = readers.getName().substring(GridMaps.PROFILES.length());
        return proxy.getNodeEngine().getHazelcastInstance().getMap(StatePipeline.Maps.STATES + suffix);
    }
}
