package com.profilegrid.node;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static com.hazelcast.test.HazelcastTestSupport.assertClusterSizeEventually;
import static com.hazelcast.test.HazelcastTestSupport.waitAllForSafeState;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 3-member cluster keeps every profile when one member dies or leaves: backups of the profile state are promoted.
 * (The readers' {@code profiles} map is a cache of that state with no backup of its own; its entries load again.)
 */
class ClusterResilienceTest {

    private static final int PROFILES = 10_000;

    private final TestHazelcastFactory factory = new TestHazelcastFactory();
    private HazelcastInstance[] members;
    private Map<ProfileKey, ProfileState> written;

    @BeforeEach
    void given_three_members_holding_10k_profiles() {
        String cluster = TestClusters.uniqueClusterName();
        members = new HazelcastInstance[3];
        for (int i = 0; i < members.length; i++) {
            members[i] = factory.newHazelcastInstance(TestClusters.withoutStore(cluster));
        }
        assertClusterSizeEventually(3, members);
        written = new HashMap<>();
        SampleProfiles.profiles("acme", PROFILES).forEach((key, profile) ->
                written.put(key, new ProfileState(profile, Map.of("user:" + key.profileId(), 1L))));
        states(members[0]).putAll(written);
        waitAllForSafeState(members);
    }

    @AfterEach
    void tearDown() {
        factory.terminateAll();
    }

    @ParameterizedTest(name = "member {0} terminated")
    @ValueSource(ints = {0, 1, 2})
    void when_any_member_is_terminated_then_no_profile_is_lost(int victim) {
        members[victim].getLifecycleService().terminate();

        HazelcastInstance survivor = members[(victim + 1) % 3];
        assertClusterSizeEventually(2, survivor);
        waitAllForSafeState(survivor, members[(victim + 2) % 3]);
        assertAllProfilesPresent(survivor);
    }

    @Test
    void when_a_member_shuts_down_gracefully_then_no_profile_is_lost() {
        members[1].shutdown();

        assertClusterSizeEventually(2, members[0]);
        waitAllForSafeState(members[0], members[2]);
        assertAllProfilesPresent(members[2]);
    }

    private void assertAllProfilesPresent(HazelcastInstance member) {
        IMap<ProfileKey, ProfileState> map = states(member);
        assertThat(member.getPartitionService().isClusterSafe()).isTrue();
        assertThat(map.size()).isEqualTo(PROFILES);
        Map<ProfileKey, ProfileState> read = map.getAll(written.keySet());
        assertThat(read).isEqualTo(written);
    }

    private static IMap<ProfileKey, ProfileState> states(HazelcastInstance member) {
        return member.getMap(StatePipeline.Maps.STATES);
    }
}
