package com.profilegrid.pipelines.profile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.test.Accessors;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import com.profilegrid.node.TestClusters;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.state.ProjectIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline's per-project identity state as a snapshot writes and restores it, with the serialization of the
 * packaged member configuration: the same graph, decisions under revisions above any the earlier run used, and one
 * announcement of every id's profile (the earlier run may have sent decisions past the snapshot that the replay will
 * not repeat).
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
    void when_identity_state_is_restored_then_its_graph_is_the_same_and_its_revisions_only_grow() {
        ProjectIdentity state = new ProjectIdentity();
        assertThat(state.takeAnnouncement()).as("a new graph has nothing to announce").isFalse();
        state.observe(Instant.now().plusSeconds(1)); // caught up: an event received after it started
        assertThat(state.takeAnnouncement()).as("what it decided while catching up").isTrue();
        Instant t0 = Instant.parse("2026-11-01T08:00:00Z");
        state.graph().add(new Link("user:u1", "anon:a1", t0, "m1"));
        state.graph().add(new Link("user:u1", "anon:a2", t0.plusSeconds(1), "m2"));
        long snapshotRevision = state.revision();

        ProjectIdentity restored = serialization.toObject(serialization.toData(state));
        // the earlier run went on past its snapshot and sent decisions under the next revisions
        state.graph().add(new Link("user:u1", "email:x@example.com", t0.plusSeconds(2), "m3"));

        assertThat(restored.graph().ids()).containsExactlyInAnyOrder("user:u1", "anon:a1", "anon:a2");
        assertThat(restored.graph().profileId("anon:a2")).isEqualTo("user:u1");
        assertThat(restored.revision()).isGreaterThan(state.revision()).isGreaterThan(snapshotRevision);
        assertThat(restored.takeAnnouncement()).isTrue();
        assertThat(restored.takeAnnouncement()).as("once").isFalse();
        long before = restored.revision();
        restored.graph().add(new Link("anon:a3", "anon:a4", t0, "m4"));
        assertThat(restored.revision()).isEqualTo(before + 1);

        ProjectIdentity again = serialization.toObject(serialization.toData(restored));
        assertThat(again.revision()).isGreaterThan(restored.revision());
    }

    @Test
    void when_a_fresh_graph_replays_old_events_then_its_decisions_rank_below_any_run_until_a_new_event_arrives()
            throws InterruptedException {
        Instant t0 = Instant.parse("2026-11-01T08:00:00Z");
        ProjectIdentity earlierRun = new ProjectIdentity();
        earlierRun.observe(Instant.now().plusSeconds(1));
        earlierRun.graph().add(new Link("user:u1", "anon:a1", t0, "m1"));

        ProjectIdentity fresh = new ProjectIdentity();
        fresh.observe(t0); // a replayed event, received long before
        fresh.graph().add(new Link("anon:a1", "anon:a2", t0, "m0"));
        assertThat(fresh.catchingUp()).isTrue();
        assertThat(fresh.revision()).as("a raw id that followed the earlier run ignores it")
                .isLessThan(earlierRun.revision()).isPositive();
        assertThat(fresh.takeAnnouncement()).isFalse();

        ProjectIdentity restored = serialization.toObject(serialization.toData(fresh));
        assertThat(restored.catchingUp()).as("a snapshot taken while catching up").isTrue();
        assertThat(restored.takeAnnouncement()).isFalse();
        assertThat(restored.revision()).isGreaterThan(fresh.revision()).isLessThan(earlierRun.revision());

        Thread.sleep(5); // epochs come from the clock: the earlier run's started in an earlier millisecond
        restored.observe(Instant.now().plusSeconds(1));

        assertThat(restored.catchingUp()).isFalse();
        assertThat(restored.takeAnnouncement()).as("every id's profile, under the new epoch").isTrue();
        assertThat(restored.revision()).isGreaterThan(earlierRun.revision());
    }
}
