package com.profilegrid.node.rebuild;

import com.hazelcast.map.IMap;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.SampleProfiles;
import com.profilegrid.node.TestClusters;
import com.profilegrid.pipelines.state.ProfileState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-place sum of the states' event counters equals the sum over the deserialized profiles, per project and in all. */
class EventCountTest {

    private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(2);

    @AfterEach
    void tearDown() {
        factory.terminateAll();
    }

    @Test
    void when_profiles_of_several_projects_are_held_then_the_count_sums_the_counters_of_the_asked_ones() {
        String cluster = TestClusters.uniqueClusterName();
        factory.newHazelcastInstance(TestClusters.withoutStore(cluster));
        IMap<ProfileKey, ProfileState> map = factory.newHazelcastInstance(TestClusters.withoutStore(cluster))
                .getMap("profile-state-count");
        Map<ProfileKey, Profile> acme = SampleProfiles.profiles("acme", 300);
        Map<ProfileKey, Profile> other = SampleProfiles.profiles("other", 50);
        Map<ProfileKey, Profile> third = SampleProfiles.profiles("third", 20);
        for (Map<ProfileKey, Profile> profiles : List.of(acme, other, third)) {
            profiles.forEach((key, profile) -> map.put(key, new ProfileState(profile, Map.of(key.profileId(), 1L))));
        }

        assertThat(EventCount.in(map, "acme")).isEqualTo(sum(acme)).isPositive();
        assertThat(EventCount.in(map, "other")).isEqualTo(sum(other)).isPositive();
        assertThat(EventCount.in(map, null)).isEqualTo(sum(acme) + sum(other) + sum(third));
        assertThat(EventCount.in(map, "nobody")).isZero();
    }

    private static long sum(Map<ProfileKey, Profile> profiles) {
        return profiles.values().stream().flatMap(p -> p.eventCounts().values().stream()).mapToLong(Long::longValue).sum();
    }
}
