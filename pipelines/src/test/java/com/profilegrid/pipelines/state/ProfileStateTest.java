package com.profilegrid.pipelines.state;

import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.profilegrid.pipelines.state.RawIdEntryTest.FOLD;
import static com.profilegrid.pipelines.state.RawIdEntryTest.record;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A profile absorbs each raw id's events once, in version order; an identity merge keeps an event that was in flight to
 * the absorbed profile (the case where positions per profile lose it, see docs/profile-state.md); a gap is reported,
 * and the profile made again from its raw ids equals the one folded event by event.
 */
class ProfileStateTest {

    private static final ProfileKey USER = new ProfileKey("acme", "user:u1");
    private static final ProfileKey ANON = new ProfileKey("acme", "anon:a1");

    @Test
    void when_a_version_repeats_or_skips_then_it_is_ignored_or_reported() {
        ProfileState state = ProfileState.empty(USER);
        ProfileState.Absorbed first = state.absorb("user:u1", 1, 0, record(1, 1, "m1").event(), FOLD);
        assertThat(first.step()).isEqualTo(ProfileState.Step.APPLIED);
        assertThat(first.state().absorb("user:u1", 1, 0, record(1, 1, "m1").event(), FOLD).step())
                .isEqualTo(ProfileState.Step.ALREADY_APPLIED);
        assertThat(first.state().absorb("user:u1", 3, 0, record(1, 3, "m3").event(), FOLD).step())
                .isEqualTo(ProfileState.Step.GAP);
        assertThat(first.state().profile().eventCounts()).containsEntry("Viewed", 1L);
    }

    @Test
    void when_an_event_is_in_flight_to_a_profile_that_is_merged_then_it_is_folded_in_once() {
        // B (the user) has applied a later event of the shard than A (the anonymous id) has
        ProfileState user = ProfileState.empty(USER).absorb("user:u1", 1, 0, record(1, 200, "b200").event(), FOLD).state();
        ProfileState anon = ProfileState.empty(ANON).absorb("anon:a1", 1, 0, record(1, 50, "a50").event(), FOLD).state();
        ProfileState merged = user.join(anon, FOLD);

        // the anonymous id's event at seq 100, resolved to A before the merge, arrives at B as a1's second version
        ProfileState.Absorbed late = merged.absorb("anon:a1", 2, 0, record(1, 100, "a100").event(), FOLD);
        assertThat(late.step()).isEqualTo(ProfileState.Step.APPLIED);
        assertThat(late.state().profile().eventCounts()).containsEntry("Viewed", 3L);
        assertThat(late.state().absorb("anon:a1", 2, 0, record(1, 100, "a100").event(), FOLD).step())
                .isEqualTo(ProfileState.Step.ALREADY_APPLIED);
    }

    @Test
    void when_made_again_from_its_raw_ids_then_it_equals_the_profile_folded_event_by_event() {
        RawIdEntry u1 = RawIdEntry.empty("acme", "user:u1");
        RawIdEntry a1 = RawIdEntry.empty("acme", "anon:a1");
        ProfileState folded = ProfileState.empty(USER);
        for (int seq = 1; seq <= 4; seq++) {
            LogRecord mine = record(1, seq, "u" + seq);
            LogRecord theirs = record(2, seq, "a" + seq);
            u1 = u1.apply(mine, FOLD).orElseThrow();
            a1 = a1.apply(theirs, FOLD).orElseThrow();
            folded = folded.absorb("user:u1", u1.version(), 0, mine.event(), FOLD).state();
            folded = folded.absorb("anon:a1", a1.version(), 0, theirs.event(), FOLD).state();
        }
        ProfileState again = ProfileState.recomputed(USER, Map.of("user:u1", u1, "anon:a1", a1), FOLD);

        assertThat(again).isEqualTo(folded);
    }

    @Test
    void when_a_raw_id_moves_in_then_its_fold_is_added_once_and_its_next_events_follow() {
        RawIdEntry anon = RawIdEntry.empty("acme", "anon:a1");
        for (int seq = 1; seq <= 3; seq++) {
            anon = anon.apply(record(1, seq, "a" + seq), FOLD).orElseThrow();
        }
        ProfileState user = ProfileState.empty(USER).absorb("user:u1", 1, 0, record(2, 1, "u1").event(), FOLD).state();

        ProfileState.Absorbed moved = user.add("anon:a1", anon, ProfileState.UNREAD, FOLD);
        assertThat(moved.step()).isEqualTo(ProfileState.Step.APPLIED);
        assertThat(moved.state().add("anon:a1", anon, ProfileState.UNREAD, FOLD).step()).isEqualTo(ProfileState.Step.ALREADY_APPLIED);
        RawIdEntry later = anon.apply(record(1, 4, "a4"), FOLD).orElseThrow();
        ProfileState.Absorbed next = moved.state().absorb("anon:a1", later.version(), 0, record(1, 4, "a4").event(), FOLD);
        assertThat(next.step()).isEqualTo(ProfileState.Step.APPLIED);
        assertThat(next.state().profile().eventCounts()).containsEntry("Viewed", 5L);
        assertThat(next.state()).isEqualTo(ProfileState.recomputed(USER, Map.of("user:u1",
                RawIdEntry.empty("acme", "user:u1").apply(record(2, 1, "u1"), FOLD).orElseThrow(), "anon:a1", later), FOLD));
        // a fold of an id the profile already holds at an older version cannot be merged in: it is made again instead
        assertThat(next.state().add("anon:a1", later.apply(record(1, 5, "a5"), FOLD).orElseThrow(), ProfileState.UNREAD, FOLD).step())
                .isEqualTo(ProfileState.Step.GAP);
    }

    @Test
    void when_a_state_lists_too_many_ids_then_it_seals_half_and_an_unlisted_id_needs_its_sealed_version() {
        ProfileState state = ProfileState.empty(USER);
        for (int id = 0; id < 5; id++) {
            state = state.absorb("anon:a" + id, 1, ProfileState.UNREAD, record(1, id + 1, "m" + id).event(), FOLD).state();
        }
        assertThat(state.overListed(5)).isEmpty();
        Map<String, Long> seal = state.overListed(4);
        assertThat(seal).hasSize(3).allSatisfy((id, version) -> assertThat(version).isEqualTo(1L));

        ProfileState sealed = state.unlisted(seal, 1);
        assertThat(sealed.absorbed()).hasSize(2).doesNotContainKeys(seal.keySet().toArray(String[]::new));
        assertThat(sealed.memberChunks()).isEqualTo(1);
        assertThat(sealed.profile()).isEqualTo(state.profile());
        String unlisted = seal.keySet().iterator().next();
        // not listed in a profile that seals: the step cannot tell new from repeated until it knows the sealed version
        assertThat(sealed.absorb(unlisted, 2, ProfileState.UNREAD, record(1, 9, "m9").event(), FOLD).step())
                .isEqualTo(ProfileState.Step.UNLISTED);
        assertThat(sealed.absorb(unlisted, 1, 1, record(1, 1, "m0").event(), FOLD).step())
                .isEqualTo(ProfileState.Step.ALREADY_APPLIED);
        assertThat(sealed.absorb(unlisted, 3, 1, record(1, 9, "m9").event(), FOLD).step()).isEqualTo(ProfileState.Step.GAP);
        ProfileState.Absorbed next = sealed.absorb(unlisted, 2, 1, record(1, 9, "m9").event(), FOLD);
        assertThat(next.step()).isEqualTo(ProfileState.Step.APPLIED);
        assertThat(next.state().absorbed()).containsEntry(unlisted, 2L);

        // an id listed again at a later version since it was sealed stays listed
        assertThat(next.state().unlisted(Map.of(unlisted, 1L), 1).absorbed()).containsEntry(unlisted, 2L);
        // a profile that never sealed knows an unlisted id is new
        assertThat(state.absorb("anon:new", 1, ProfileState.UNREAD, record(1, 7, "m7").event(), FOLD).step())
                .isEqualTo(ProfileState.Step.APPLIED);
    }

    @Test
    void when_a_profile_with_sealed_ids_is_made_again_then_ids_sealed_at_their_version_stay_unlisted() {
        RawIdEntry sealed = RawIdEntry.empty("acme", "anon:a1").apply(record(1, 1, "a1"), FOLD).orElseThrow()
                .decided("user:u1", 1).orElseThrow().sealedInto("user:u1", 1);
        RawIdEntry behind = RawIdEntry.empty("acme", "anon:a2").apply(record(1, 2, "a2"), FOLD).orElseThrow()
                .decided("user:u1", 1).orElseThrow();
        behind = behind.sealedInto("user:u1", 1).apply(record(1, 3, "a3"), FOLD).orElseThrow();
        assertThat(sealed.sealedFor("user:u1")).isEqualTo(1);
        assertThat(behind.sealedFor("user:u1")).isEqualTo(1);
        assertThat(behind.version()).isEqualTo(2);

        ProfileState remade = ProfileState.recomputed(USER, Map.of("anon:a1", sealed, "anon:a2", behind), FOLD, 1);
        assertThat(remade.absorbed()).containsOnlyKeys("anon:a2").containsEntry("anon:a2", 2L);
        assertThat(remade.profile().eventCounts()).containsEntry("Viewed", 3L);
        assertThat(remade.memberChunks()).isEqualTo(1);
        // without member chunks nothing is left unlisted: such a profile reads no sealed versions
        assertThat(ProfileState.recomputed(USER, Map.of("anon:a1", sealed), FOLD, 0).absorbed()).containsOnlyKeys("anon:a1");
        // an identity decision that moves the id elsewhere clears its seal
        assertThat(sealed.decided("user:u2", 2).orElseThrow().sealed()).isZero();
        assertThat(sealed.decided("user:u1", 2).orElseThrow().sealed()).isEqualTo(1);
    }
}
