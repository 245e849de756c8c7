package com.profilegrid.pipelines.state;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A profile made again from its raw ids never overwrites a step that landed after the remake read the state: the case
 * of a job run that was stopped (a member died) while its operations were still on their way, beside the run that
 * replaced it. Before the write was a compare and set, a late remake could set a profile back to older raw-id versions,
 * and the events in between were lost for good (found by the member-kill suite).
 */
class RemakeRaceTest {

    private static final ProfileFold FOLD = new ProfileFold(FoldSettings.DEFAULTS);
    private static final int EVENTS = 150;
    /** Profiles tried one after the other: a late write lands after the last step in some of them. */
    private static final int PROFILES = 5;

    private HazelcastInstance member;

    @AfterEach
    void stop() {
        if (member != null) {
            member.shutdown();
        }
    }

    @Test
    void when_the_state_changed_since_it_was_read_then_a_replace_is_refused_and_changes_nothing() {
        member = RawIdMapTest.startMembers("remake", 1).get(0);
        IMap<ProfileKey, ProfileState> states = member.getMap("profile-state");
        ProfileKey key = new ProfileKey("acme", "user:u1");
        ProfileState one = ProfileState.recomputed(key, Map.of("user:u1", entry(1)), FOLD);
        ProfileState two = ProfileState.recomputed(key, Map.of("user:u1", entry(2)), FOLD);

        assertThat(states.executeOnKey(key, new ReplaceState(null, one))).isTrue();
        assertThat(states.executeOnKey(key, new ReplaceState(null, two))).isFalse();
        assertThat(states.get(key)).isEqualTo(one);
        assertThat(states.executeOnKey(key, new ReplaceState(one, two))).isTrue();
        assertThat(states.executeOnKey(key, new ReplaceState(one, one))).isFalse();
        assertThat(states.get(key)).isEqualTo(two);
        assertThat(states.executeOnKey(key, new ReplaceState(two, null))).isTrue();
        assertThat(states.containsKey(key)).isFalse();
    }

    @Test
    void when_a_stopped_run_keeps_remaking_a_profile_beside_the_live_run_then_no_event_is_lost() throws Exception {
        member = RawIdMapTest.startMembers("remake", 1).get(0);
        IMap<String, RawIdEntry> rawIds = member.getMap("raw-ids");
        IMap<ProfileKey, ProfileState> states = member.getMap("profile-state");
        for (int profile = 1; profile <= PROFILES; profile++) {
            race(rawIds, states, "user:u" + profile);
        }
    }

    private void race(IMap<String, RawIdEntry> rawIds, IMap<ProfileKey, ProfileState> states, String id)
            throws Exception {
        StatePipeline.ProfileSteps live = new StatePipeline.ProfileSteps(member, rawIds, states, FOLD);
        StatePipeline.ProfileSteps stopped = new StatePipeline.ProfileSteps(member, rawIds, states, FOLD);
        String rawKey = GridMaps.projectKey("acme", id);
        ProfileKey key = new ProfileKey("acme", id);
        AtomicBoolean done = new AtomicBoolean();
        // the stopped run: catch-ups of replayed events, each reading the state and the raw id, then writing
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> {
            while (!done.get()) {
                // a remake that finds the state changed under it every time gives up: the run is gone anyway
                stopped.step(new ToProfile.CatchUp(key, id, record(id, 1).event())).exceptionally(failure -> null).join();
            }
        });
        try {
            for (int seq = 1; seq <= EVENTS; seq++) {
                ApplyToRawId.Outcome outcome = rawIds.executeOnKey(rawKey,
                        new ApplyToRawId(record(id, seq), FOLD));
                live.step(new ToProfile.Absorb(key, id, outcome.version(), record(id, seq).event())).join();
            }
        } finally {
            done.set(true);
            late.get(30, TimeUnit.SECONDS);
            live.close();
            stopped.close();
        }

        assertThat(states.get(key)).isEqualTo(ProfileState.recomputed(key, Map.of(id, rawIds.get(rawKey)), FOLD));
        assertThat(states.get(key).absorbed()).containsEntry(id, (long) EVENTS);
    }

    private static LogRecord record(String id, int seq) {
        return RawIdEntryTest.record(1, seq, id + "-m" + seq, id.substring("user:".length()));
    }

    private static RawIdEntry entry(int events) {
        RawIdEntry entry = RawIdEntry.empty("acme", "user:u1");
        for (int seq = 1; seq <= events; seq++) {
            entry = entry.apply(RawIdEntryTest.record(1, seq, "m" + seq), FOLD).orElseThrow();
        }
        return entry;
    }
}
