package com.profilegrid.pipelines.profile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import com.hazelcast.test.Accessors;
import com.profilegrid.model.Profile;
import com.profilegrid.node.SampleProfiles;
import com.profilegrid.node.TestClusters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline's per-key state as a snapshot writes and restores it, with the serialization of the packaged member
 * configuration (here, beside the member config, rather than in the pipelines module).
 */
class PipelineStateSnapshotTest {

    private final TestHazelcastInstanceFactory factory = new TestHazelcastInstanceFactory(1);
    private InternalSerializationService serialization;

    @BeforeEach
    void given_a_member() {
        HazelcastInstance member = factory.newHazelcastInstance(TestClusters.withoutStore(TestClusters.uniqueClusterName()));
        serialization = Accessors.getSerializationService(member);
    }

    @AfterEach
    void tearDown() {
        factory.terminateAll();
    }

    @Test
    void when_raw_id_state_is_snapshotted_then_it_restores_unchanged_and_its_partial_keeps_its_bytes() {
        RawIdState state = new RawIdState();
        state.partial = new EncodedProfile(SampleProfiles.profile("acme", 1));
        state.profileId = "u-1";
        state.version = 7;
        state.profileIdRevision = 3;

        Data first = serialization.toData(state);
        assertThat(state.partial.isEncoded()).isTrue();
        Data again = serialization.toData(state);
        assertThat(again.toByteArray()).as("an unchanged state writes the same bytes").isEqualTo(first.toByteArray());

        RawIdState restored = serialization.toObject(first);
        assertThat(restored.partial.profile()).isEqualTo(SampleProfiles.profile("acme", 1));
        assertThat(restored.partial.isEncoded()).as("restored state keeps the bytes it was read from").isTrue();
        assertThat(restored.profileId).isEqualTo("u-1");
        assertThat(restored.version).isEqualTo(7);
        assertThat(restored.profileIdRevision).isEqualTo(3);
        Data rewritten = serialization.toData(restored);
        assertThat(rewritten.toByteArray()).isEqualTo(first.toByteArray());
    }

    @Test
    void when_a_raw_id_folds_again_after_a_snapshot_then_the_next_snapshot_holds_the_new_partial() {
        RawIdState state = new RawIdState();
        state.partial = new EncodedProfile(SampleProfiles.profile("acme", 1));
        serialization.toData(state);

        Profile changed = SampleProfiles.profile("acme", 1).withEventCounted("Clicked", 5);
        state.partial = new EncodedProfile(changed);
        RawIdState restored = serialization.toObject(serialization.toData(state));

        assertThat(restored.partial.profile()).isEqualTo(changed);
    }

    @Test
    void when_profile_state_is_snapshotted_then_partials_and_versions_restore_and_later_changes_are_written() {
        ProfileState state = new ProfileState();
        EncodedProfile a = new EncodedProfile(SampleProfiles.profile("acme", 1));
        EncodedProfile b = new EncodedProfile(SampleProfiles.profile("acme", 2));
        assertThat(state.update("a", 1, a)).isTrue();
        assertThat(state.update("b", 4, b)).isTrue();
        assertThat(state.update("c", 2, null)).isTrue();

        ProfileState restored = serialization.toObject(serialization.toData(state));
        assertThat(restored.partials).containsOnlyKeys("a", "b");
        assertThat(restored.partials.get("a").profile()).isEqualTo(a.profile());
        assertThat(restored.partials.get("b").profile()).isEqualTo(b.profile());
        assertThat(restored.versions).containsEntry("a", 1L).containsEntry("b", 4L).containsEntry("c", 2L);

        // a's partial changes and b's is retracted: the next snapshot holds exactly that
        Profile changed = a.profile().withEventCounted("Signed Up", 1);
        assertThat(state.update("a", 2, new EncodedProfile(changed))).isTrue();
        assertThat(state.update("b", 5, null)).isTrue();
        ProfileState later = serialization.toObject(serialization.toData(state));
        assertThat(later.partials).containsOnlyKeys("a");
        assertThat(later.partials.get("a").profile()).isEqualTo(changed);
    }
}
