package com.profilegrid.node;

import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.pipelines.state.ProfileState;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Varied, deterministic profiles for tests: every field set, some left empty or null. */
public final class SampleProfiles {

    static final Instant T0 = Instant.parse("2026-11-01T10:00:00.123Z");

    private SampleProfiles() {
    }

    /** Each profile as a profile state that absorbed its own raw id at a version of its own. */
    public static Map<ProfileKey, ProfileState> states(Map<ProfileKey, Profile> profiles) {
        Map<ProfileKey, ProfileState> states = new HashMap<>();
        profiles.forEach((key, profile) -> states.put(key,
                new ProfileState(profile, Map.of("a:" + key.profileId(), (long) key.profileId().length()))));
        return states;
    }

    public static Profile profile(String project, int i) {
        ProfileKey key = new ProfileKey(project, "visitor-" + i);
        if (i % 7 == 0) {
            return Profile.empty(key);
        }
        Map<String, PropertyValue> properties = new HashMap<>();
        properties.put("plan", new PropertyValue("\"pro\"", T0.plusSeconds(i), "m-" + i));
        properties.put("score", new PropertyValue(Integer.toString(i * 3), T0.plusMillis(i), "m-s-" + i));
        properties.put("address", new PropertyValue("{\"city\":\"Zürich\",\"zip\":\"80" + i % 100 + "\"}", T0, "m-a-" + i));
        properties.put("quote", new PropertyValue("\"it's '; DROP TABLE profiles; --\"", T0, "m-q-" + i));
        Map<String, Long> counts = Map.of("Page Viewed", (long) i, "Signed Up", 1L);
        Identities ids = new Identities(i % 2 == 0 ? "user-" + i : null,
                Set.of("anon-" + i, "anon-b-" + i), i % 3 == 0 ? Set.of("v" + i + "@example.com") : Set.of());
        List<Visit> visits = List.of(new Visit(T0.minusSeconds(i), T0), new Visit(T0.plusSeconds(3600), T0.plusSeconds(i * 60L + 3600)));
        List<RecentEvent> recent = List.of(new RecentEvent("m-" + i, EventType.IDENTIFY, null, T0.plusSeconds(i)),
                new RecentEvent("m-p-" + i, EventType.TRACK, "Page Viewed", T0));
        return new Profile(project, key.profileId(), ids, properties, counts, T0.minusSeconds(i),
                T0.plusSeconds(i * 60L + 3600), i % 11 == 0 ? List.of() : visits, recent,
                i % 5 == 0 ? Set.of("vip", "trial") : Set.of(),
                i % 7 == 0 ? Map.of() : Map.of("20393:Page Viewed", (long) i, "20394:Signed Up", 1L));
    }

    public static Map<ProfileKey, Profile> profiles(String project, int count) {
        Map<ProfileKey, Profile> profiles = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Profile profile = profile(project, i);
            profiles.put(profile.key(), profile);
        }
        return profiles;
    }
}
