package com.profilegrid.client.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds a profile by any of its ids, on a member or through a client. An id may be typed
 * ({@code user:42}, {@code anon:abc}, {@code email:a@example.com}) or bare; a bare id is tried as a user id,
 * then (when it looks like one) an e-mail address, then an anonymous id.
 */
public final class ProfileLookup {

    private final HazelcastInstance hazelcast;

    public ProfileLookup(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    /** Looks in the active generation of the profile view (a rebuild switches it without a pause). */
    public Optional<Profile> find(String project, String id) {
        Generation generation = Generation.active(hazelcast, project);
        IMap<ProfileKey, Profile> profiles = hazelcast.getMap(generation.profilesMap());
        IMap<String, String> ids = hazelcast.getMap(generation.idsMap());
        for (String candidate : candidates(id)) {
            String profileId = ids.get(GridMaps.projectKey(project, candidate));
            Profile profile = profiles.get(new ProfileKey(project, profileId != null ? profileId : candidate));
            if (profile != null) {
                return Optional.of(profile);
            }
        }
        return Optional.empty();
    }

    static List<String> candidates(String id) {
        if (id.startsWith("user:") || id.startsWith("anon:") || id.startsWith("email:")) {
            return List.of(id);
        }
        List<String> candidates = new ArrayList<>(3);
        candidates.add("user:" + id);
        if (id.contains("@")) {
            candidates.add("email:" + id.trim().toLowerCase(Locale.ROOT));
        }
        candidates.add("anon:" + id);
        return candidates;
    }
}
