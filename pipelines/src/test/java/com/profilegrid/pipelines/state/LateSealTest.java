package com.profilegrid.pipelines.state;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.EventType;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seal of a raw id that lands after the id left its profile and came back, at the same version, does not make the
 * profile lose the id: the retract that follows clears it, so the add of the move back folds the id in. Found by
 * {@code LiveEqualsRebuildTest} (seed -4190532120777270178): an anonymous id linked in arrival order to one user and
 * in event-time order to another went missing from both.
 */
class LateSealTest {

    /** Profiles list at most one raw id, so a profile of two seals them. */
    private static final ProfileFold FOLD = new ProfileFold(new FoldSettings(FoldSettings.DEFAULTS.inactivityGap(),
            FoldSettings.DEFAULTS.recentEvents(), 1));
    private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

    private HazelcastInstance member;

    @AfterEach
    void stop() {
        if (member != null) {
            member.shutdown();
        }
    }

    @Test
    void when_a_seal_lands_after_the_id_left_and_came_back_then_the_retract_and_the_add_still_fold_it_in() {
        member = RawIdMapTest.startMembers("late-seal", 1).get(0);
        IMap<String, RawIdEntry> rawIds = member.getMap("raw-ids");
        IMap<ProfileKey, ProfileState> states = member.getMap("profile-state");
        StatePipeline.ProfileSteps steps = new StatePipeline.ProfileSteps(member, rawIds, states, FOLD);
        ProfileKey user = new ProfileKey("acme", "user:u0");
        String userKey = GridMaps.projectKey("acme", "user:u0");
        String anonKey = GridMaps.projectKey("acme", "anon:a2");
        try {
            // user:u0 with two events of its own, anon:a2 with three, then a2 decided into u0: u0 holds both and,
            // listing at most one, seals them
            for (int seq = 1; seq <= 2; seq++) {
                ApplyToRawId.Outcome outcome = rawIds.executeOnKey(userKey, new ApplyToRawId(event(seq, null, "u0"), FOLD));
                steps.step(new ToProfile.Absorb(user, "user:u0", outcome.version(), event(seq, null, "u0").event())).join();
            }
            for (int seq = 3; seq <= 5; seq++) {
                rawIds.executeOnKey(anonKey, new ApplyToRawId(event(seq, "a2", null), FOLD));
            }
            RawIdEntry joined = rawIds.executeOnKey(anonKey, new DecideRawId("user:u0", 1)).now();
            steps.step(new ToProfile.Add(user, "anon:a2", joined)).join();
            assertThat(states.get(user).memberChunks()).isPositive();
            assertThat(rawIds.get(anonKey).sealedFor("user:u0")).isEqualTo(3);

            // a2 moves to user:u2 and back (decisions in arrival order, then in event-time order), without an event
            rawIds.executeOnKey(anonKey, new DecideRawId("user:u2", 2));
            RawIdEntry back = rawIds.executeOnKey(anonKey, new DecideRawId("user:u0", 3)).now();
            // a seal that u0 began while it still held a2 lands only now: same owner, same version, so it passes
            assertThat(rawIds.executeOnKey(anonKey, new SealRawId("user:u0", Map.of(anonKey, 3L)))).isTrue();

            // the profile stage then takes the move away (u0 made again without a2) and the move back
            steps.step(new ToProfile.Retract(user, "anon:a2")).join();
            steps.step(new ToProfile.Add(user, "anon:a2", back)).join();

            ProfileState expected = ProfileState.recomputed(user,
                    Map.of("user:u0", rawIds.get(userKey), "anon:a2", rawIds.get(anonKey)), FOLD);
            assertThat(states.get(user).profile()).isEqualTo(expected.profile());
            assertThat(states.get(user).profile().eventCounts()).containsEntry("Viewed", 5L);
        } finally {
            steps.close();
        }
    }

    private static LogRecord event(int seq, String anonymousId, String userId) {
        return new LogRecord(1, seq, new TrackingEvent("acme", "m" + seq, EventType.TRACK, "Viewed", anonymousId, userId,
                null, null, T0.plusSeconds(seq), T0.plusSeconds(seq), "{}", "{}", "{}", "{}"));
    }
}
