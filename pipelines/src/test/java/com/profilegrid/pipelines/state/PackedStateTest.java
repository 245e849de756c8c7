package com.profilegrid.pipelines.state;

import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.rules.Change;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static com.profilegrid.pipelines.state.RawIdEntryTest.FOLD;
import static com.profilegrid.pipelines.state.RawIdEntryTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The state maps' packed values read back equal to what was written, whatever they hold. */
class PackedStateTest {

    private static final List<String> WORDS = List.of("", "a", "Viewed", "Product Viewed", "ünïcødé 👋", "x".repeat(300),
            "m1", "anon:a1", "user:u1", "\u241F", "20393:Viewed", "{\"n\":1}");
    private static final List<Long> NUMBERS = List.of(0L, 1L, -1L, 127L, 128L, Long.MAX_VALUE, Long.MIN_VALUE,
            1_795_000_000_000L, -86_400_000L);
    private static final List<String> DAILY_KEYS = List.of("20393:Viewed", "20393:", "-3:a", "007:b", ":a", "x:y",
            "20394", "", "9223372036854775807:z", "-9223372036854775808:z", "99999999999999999999:big", "1:2:3");

    @Property(tries = 500)
    void any_profile_state_reads_back_equal(@ForAll long seed) {
        Random random = new Random(seed);
        Map<String, Long> absorbed = new HashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            absorbed.put(word(random) + i, number(random));
        }
        Map<String, List<Change>> recent = new LinkedHashMap<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            List<Change> changes = new ArrayList<>();
            for (int j = random.nextInt(3); j >= 0; j--) {
                // a change's text separates its parts with U+241F, which labels and causes do not hold
                changes.add(new Change(Change.Kind.values()[random.nextInt(3)], word(random).replace("\u241F", ""),
                        word(random).replace("\u241F", "")));
            }
            recent.put("step-" + i + word(random), changes);
        }
        ProfileState state = new ProfileState(profile(random), absorbed, random.nextInt(5), recent);

        assertThat(PackedState.unpackState(PackedState.pack(state))).isEqualTo(state);
    }

    @Property(tries = 500)
    void any_raw_id_entry_reads_back_equal(@ForAll long seed) {
        Random random = new Random(seed);
        Map<Long, Long> applied = new HashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            applied.put(number(random), number(random));
        }
        RawIdEntry entry = new RawIdEntry(profile(random), applied, number(random),
                random.nextBoolean() ? null : word(random), number(random), number(random));

        assertThat(PackedState.unpackRawId(PackedState.pack(entry))).isEqualTo(entry);
    }

    @Test
    void when_a_visitor_has_a_few_events_then_its_state_packs_into_a_few_hundred_bytes() {
        // an identify and four tracks, as the memory benchmark's visitors send them
        RawIdEntry user = RawIdEntry.empty("prj_ea0e6f0166689474", "user:user-4");
        ProfileState state = ProfileState.empty(new ProfileKey("prj_ea0e6f0166689474", "user:user-4"));
        for (int seq = 1; seq <= 5; seq++) {
            LogRecord event = record(1, seq, "t-4-" + seq);
            user = user.apply(event, FOLD).orElseThrow();
            state = state.absorb("user:user-4", user.version(), 0, event.event(), FOLD).state();
        }
        byte[] packed = PackedState.pack(state);

        assertThat(PackedState.unpackState(packed)).isEqualTo(state);
        assertThat(packed.length).as("packed state of five events").isLessThan(300);
        assertThat(PackedState.pack(user).length).as("packed raw id of five events").isLessThan(300);
    }

    @Test
    void when_a_profile_remembers_its_label_changes_then_a_step_costs_its_key_and_cause_and_a_few_bytes_a_label() {
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            labels.add("segment-number-" + i);
        }
        Profile profile = Profile.empty(new ProfileKey("prj_ea0e6f0166689474", "user:user-4")).withLabels(labels);
        Map<String, List<Change>> recent = new LinkedHashMap<>();
        int keyAndCause = 0;
        for (int step = 0; step < ProfileState.RECENT_STEPS; step++) {
            String key = ProfileState.stepKey("user:user-4", step + 1, false);
            String cause = "event:" + java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) step});
            recent.put(key, List.of(new Change(Change.Kind.ENTERED, "segment-number-" + (2 * step), cause),
                    new Change(Change.Kind.ENTERED, "segment-number-" + (2 * step + 1), cause),
                    new Change(Change.Kind.EXITED, "segment-number-" + (39 - step), cause)));
            keyAndCause += key.length() + cause.length();
        }
        ProfileState remembering = new ProfileState(profile, Map.of("user:user-4", 16L), 0, recent);
        ProfileState forgetting = new ProfileState(profile, Map.of("user:user-4", 16L), 0, Map.of());

        byte[] packed = PackedState.pack(remembering);

        assertThat(PackedState.unpackState(packed)).isEqualTo(remembering);
        // per step: its key and cause once, a few bytes for the count and each change's kind and label reference
        assertThat(packed.length - PackedState.pack(forgetting).length).as("bytes of the remembered changes")
                .isLessThanOrEqualTo(keyAndCause + ProfileState.RECENT_STEPS * (4 + 3 * 3));
    }

    @Test
    void when_a_state_was_packed_in_the_first_format_then_it_still_reads() {
        // states without remembered changes are laid out alike in formats 1 and 2
        ProfileState state = new ProfileState(Profile.empty(new ProfileKey("acme", "user:u1")).withLabels(Set.of("a")),
                Map.of("user:u1", 3L), 0, Map.of());
        byte[] packed = PackedState.pack(state);
        packed[0] = 1;

        assertThat(PackedState.unpackState(packed)).isEqualTo(state);
    }

    @Test
    void when_a_value_of_another_format_is_read_then_it_is_refused_by_name() {
        byte[] packed = PackedState.pack(ProfileState.empty(new ProfileKey("acme", "user:u1")));
        packed[0] = 7;

        assertThatThrownBy(() -> PackedState.unpackState(packed)).hasMessageContaining("format 7");
    }

    private static Profile profile(Random random) {
        Map<String, PropertyValue> properties = new HashMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            properties.put(word(random), new PropertyValue(word(random), time(random), word(random)));
        }
        Map<String, Long> counts = new HashMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            counts.put(word(random), number(random));
        }
        List<Visit> visits = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            Instant start = time(random);
            visits.add(new Visit(start, start.plusMillis(random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000))));
        }
        List<RecentEvent> events = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            events.add(new RecentEvent(word(random), EventType.values()[random.nextInt(EventType.values().length)],
                    random.nextBoolean() ? null : word(random), time(random)));
        }
        Map<String, Long> daily = new HashMap<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            daily.put(DAILY_KEYS.get(random.nextInt(DAILY_KEYS.size())), number(random));
        }
        return new Profile("p" + random.nextInt(3), "user:u" + random.nextInt(1000),
                new Identities(random.nextBoolean() ? null : word(random), words(random), words(random)), properties,
                counts, random.nextBoolean() ? null : time(random), random.nextBoolean() ? null : time(random), visits,
                events, words(random), daily);
    }

    private static Set<String> words(Random random) {
        Set<String> words = new HashSet<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            words.add(word(random));
        }
        return words;
    }

    private static String word(Random random) {
        return random.nextInt(4) == 0 ? "w" + random.nextInt(1_000_000) : WORDS.get(random.nextInt(WORDS.size()));
    }

    private static long number(Random random) {
        return random.nextBoolean() ? random.nextLong() : NUMBERS.get(random.nextInt(NUMBERS.size()));
    }

    private static Instant time(Random random) {
        return Instant.ofEpochMilli(random.nextInt(3) == 0 ? number(random) / 1000 : 1_795_000_000_000L
                + random.nextInt(100_000_000));
    }
}
