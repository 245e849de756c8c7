package com.profilegrid.pipelines.fold;

import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.model.Visit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileFoldTest {

    static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
    static final Duration INACTIVITY_GAP = Duration.ofMinutes(30);
    static final ProfileKey KEY = new ProfileKey("acme", "user:u1");

    private final ProfileFold fold = new ProfileFold(new FoldSettings(INACTIVITY_GAP, 3));

    static TrackingEvent event(String messageId, EventType type, String name, Instant at, String traits) {
        return new TrackingEvent("acme", messageId, type, name, "anon-1", "u1", null, null, at, at, "{}", traits, "{}", "{}");
    }

    @Test
    void when_events_are_closer_than_the_gap_then_they_are_one_visit() {
        Profile profile = foldAll(
                event("m1", EventType.TRACK, "a", T0, "{}"),
                event("m2", EventType.TRACK, "a", T0.plus(INACTIVITY_GAP), "{}"),
                event("m3", EventType.TRACK, "a", T0.plus(INACTIVITY_GAP.multipliedBy(2)).plusMillis(1), "{}"));

        assertThat(profile.visits()).containsExactly(
                new Visit(T0, T0.plus(INACTIVITY_GAP)),
                new Visit(T0.plus(INACTIVITY_GAP.multipliedBy(2)).plusMillis(1), T0.plus(INACTIVITY_GAP.multipliedBy(2)).plusMillis(1)));
        assertThat(profile.visitCount()).isEqualTo(2);
    }

    @Test
    void when_a_late_event_bridges_two_visits_then_they_become_one() {
        Profile profile = foldAll(
                event("m1", EventType.TRACK, "a", T0, "{}"),
                event("m3", EventType.TRACK, "a", T0.plus(Duration.ofMinutes(50)), "{}"),
                event("m2", EventType.TRACK, "a", T0.plus(Duration.ofMinutes(25)), "{}"));

        assertThat(profile.visits()).containsExactly(new Visit(T0, T0.plus(Duration.ofMinutes(50))));
    }

    @Test
    void when_visits_lie_before_the_retention_window_then_the_profile_drops_them_and_cuts_the_one_across_its_start() {
        ProfileFold keepingADay = new ProfileFold(new FoldSettings(INACTIVITY_GAP, 3).withVisitRetention(Duration.ofDays(1)));
        Instant windowStart = T0.plus(Duration.ofDays(3)).minus(Duration.ofDays(1));

        Profile profile = Profile.empty(KEY);
        for (TrackingEvent event : List.of(
                event("old", EventType.TRACK, "a", T0, "{}"),
                event("across-1", EventType.TRACK, "a", windowStart.minus(Duration.ofMinutes(20)), "{}"),
                event("across-2", EventType.TRACK, "a", windowStart.plus(Duration.ofMinutes(5)), "{}"),
                event("reaching-in", EventType.TRACK, "a", windowStart.plus(Duration.ofHours(3)), "{}"),
                event("last", EventType.TRACK, "a", T0.plus(Duration.ofDays(3)), "{}"))) {
            profile = keepingADay.apply(profile, event);
        }

        assertThat(profile.visits()).containsExactly(
                new Visit(windowStart, windowStart.plus(Duration.ofMinutes(5))),
                new Visit(windowStart.plus(Duration.ofHours(3)), windowStart.plus(Duration.ofHours(3))),
                new Visit(T0.plus(Duration.ofDays(3)), T0.plus(Duration.ofDays(3))));
        assertThat(profile.firstSeen()).isEqualTo(T0);
        assertThat(profile.eventCounts()).containsEntry("a", 5L);
    }

    @Test
    void when_a_visit_ended_just_before_the_window_then_it_shows_as_its_last_event_and_a_late_event_joins_it() {
        ProfileFold keepingADay = new ProfileFold(new FoldSettings(INACTIVITY_GAP, 3).withVisitRetention(Duration.ofDays(1)));
        Instant last = T0.plus(Duration.ofDays(1));
        Instant windowStart = T0;
        Instant justBefore = windowStart.minus(Duration.ofMinutes(10));

        Profile profile = Profile.empty(KEY);
        for (TrackingEvent event : List.of(
                event("start", EventType.TRACK, "a", justBefore.minus(Duration.ofMinutes(20)), "{}"),
                event("end", EventType.TRACK, "a", justBefore, "{}"),
                event("last", EventType.TRACK, "a", last, "{}"))) {
            profile = keepingADay.apply(profile, event);
        }
        assertThat(profile.visits()).containsExactly(new Visit(justBefore, justBefore), new Visit(last, last));

        Profile late = keepingADay.apply(profile, event("late", EventType.TRACK, "a", windowStart.plus(Duration.ofMinutes(15)), "{}"));
        assertThat(late.visits()).containsExactly(
                new Visit(windowStart, windowStart.plus(Duration.ofMinutes(15))), new Visit(last, last));
    }

    @Test
    void when_identify_carries_traits_then_they_become_properties_last_writer_wins() {
        Profile profile = foldAll(
                event("m2", EventType.IDENTIFY, null, T0.plusSeconds(10), "{\"plan\":\"pro\",\"email\":\"a@example.com\"}"),
                event("m1", EventType.IDENTIFY, null, T0, "{\"plan\":\"free\",\"age\":41}"));

        assertThat(profile.properties().get("plan").json()).isEqualTo("\"pro\"");
        assertThat(profile.properties().get("age").json()).isEqualTo("41");
        assertThat(profile.identities().emails()).containsExactly("a@example.com");
        assertThat(profile.identities().userId()).isEqualTo("u1");
        assertThat(profile.eventCounts()).containsEntry("$identify", 2L);
    }

    @Test
    void when_traits_are_empty_in_any_spelling_then_nothing_is_parsed_and_traits_with_content_still_are() {
        // the fast path that skips parsing must answer "no traits" only for what is truly empty
        assertThat(java.util.stream.Stream.of(null, "", "{}", " { } ", "{\n}"))
                .allMatch(ProfileFold::noTraits);
        assertThat(java.util.stream.Stream.of("{\"a\":1}", "{ \"a\" : 1 }", "[]", "{", "}", "null"))
                .noneMatch(ProfileFold::noTraits);

        Profile spaced = foldAll(event("m1", EventType.IDENTIFY, null, T0, " {\"plan\" : \"pro\"} "));
        Profile empty = foldAll(event("m1", EventType.IDENTIFY, null, T0, " { } "));
        assertThat(spaced.properties().get("plan").json()).isEqualTo("\"pro\"");
        assertThat(empty.properties()).isEmpty();
        assertThat(empty.eventCounts()).containsEntry("$identify", 1L);
    }

    @Test
    void when_an_address_comes_in_two_spellings_then_the_profile_lists_it_once_and_the_property_keeps_the_winner() {
        Profile profile = foldAll(
                event("m1", EventType.IDENTIFY, null, T0, "{\"email\":\" Ada@Example.COM \"}"),
                event("m2", EventType.IDENTIFY, null, T0.plusSeconds(10), "{\"email\":\"ada@example.com\"}"));

        assertThat(profile.identities().emails()).containsExactly("ada@example.com");
        assertThat(profile.properties().get("email").json()).isEqualTo("\"ada@example.com\"");
    }

    @Test
    void when_more_events_than_kept_then_the_newest_remain_newest_first() {
        Profile profile = foldAll(
                event("m1", EventType.TRACK, "a", T0, "{}"),
                event("m4", EventType.PAGE, "Home", T0.plusSeconds(4), "{}"),
                event("m2", EventType.TRACK, "b", T0.plusSeconds(2), "{}"),
                event("m3", EventType.TRACK, "c", T0.plusSeconds(3), "{}"));

        assertThat(profile.recentEvents()).extracting(e -> e.messageId()).containsExactly("m4", "m3", "m2");
        assertThat(profile.eventCounts()).containsEntry("a", 1L).containsEntry("$page", 1L);
        assertThat(profile.firstSeen()).isEqualTo(T0);
        assertThat(profile.lastSeen()).isEqualTo(T0.plusSeconds(4));
    }

    @Test
    void when_group_traits_arrive_then_they_are_not_the_users_properties() {
        Profile profile = foldAll(event("m1", EventType.GROUP, null, T0, "{\"name\":\"Initech\"}"));

        assertThat(profile.properties()).isEmpty();
        assertThat(profile.eventCounts()).containsEntry("$group", 1L);
    }

    @Test
    void a_profile_of_very_many_ids_lists_the_first_of_them_whatever_the_order_or_split() {
        int many = ProfileFold.MAX_IDS_PER_KIND * 3;
        List<TrackingEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < many; i++) {
            events.add(new TrackingEvent("acme", "m" + i, EventType.IDENTIFY, null, String.format("device-%04d", i), "u1",
                    null, null, T0.plusSeconds(i), T0.plusSeconds(i), "{}",
                    String.format("{\"email\":\"u1+%04d@example.com\"}", i), "{}", "{}"));
        }
        List<TrackingEvent> shuffled = new java.util.ArrayList<>(events);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));

        Profile inOrder = foldAll(events.toArray(TrackingEvent[]::new));
        Profile first = Profile.empty(KEY);
        Profile second = Profile.empty(KEY);
        for (int i = 0; i < shuffled.size(); i++) {
            if (i % 3 == 0) {
                first = fold.apply(first, shuffled.get(i));
            } else {
                second = fold.apply(second, shuffled.get(i));
            }
        }
        Profile merged = fold.merge(second, first);

        java.util.Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < ProfileFold.MAX_IDS_PER_KIND; i++) {
            expected.add(String.format("device-%04d", i));
        }
        assertThat(inOrder.identities().anonymousIds()).isEqualTo(expected);
        assertThat(merged.identities()).isEqualTo(inOrder.identities());
        assertThat(merged.identities().emails()).hasSize(ProfileFold.MAX_IDS_PER_KIND).contains("u1+0000@example.com")
                .doesNotContain(String.format("u1+%04d@example.com", ProfileFold.MAX_IDS_PER_KIND));
        assertThat(merged.eventCounts()).isEqualTo(inOrder.eventCounts()); // every event is still counted
    }

    @Test
    void when_a_ping_falls_between_two_events_then_it_keeps_their_visit_open_and_counts_no_event() {
        TrackingEvent first = event("m1", EventType.TRACK, "a", T0, "{}");
        TrackingEvent ping = event("p1", EventType.PING, null, T0.plus(Duration.ofMinutes(20)), "{}");
        TrackingEvent later = event("m2", EventType.TRACK, "b", T0.plus(Duration.ofMinutes(45)), "{}");

        Profile withPing = foldAll(first, ping, later);
        Profile without = foldAll(first, later);

        assertThat(withPing.visits()).containsExactly(new Visit(T0, T0.plus(Duration.ofMinutes(45))));
        assertThat(without.visitCount()).isEqualTo(2);
        assertThat(withPing.eventCounts()).isEqualTo(without.eventCounts());
        assertThat(withPing.recentEvents()).isEqualTo(without.recentEvents());
        assertThat(withPing.dailyCounts()).isEqualTo(without.dailyCounts());
        // a ping alone: the visitor was seen, nothing happened
        Profile pingOnly = foldAll(ping);
        assertThat(pingOnly.eventCounts()).isEmpty();
        assertThat(pingOnly.lastSeen()).isEqualTo(ping.timestamp());
    }

    @Test
    void when_a_woopra_hit_has_a_timeout_longer_than_the_gap_then_its_visit_stays_open_that_long() {
        TrackingEvent kept = new TrackingEvent("acme", "m1", EventType.TRACK, "a", "anon-1", "u1", null, null, T0, T0,
                "{}", "{}", "{\"woopra\":{\"timeout\":3600000}}", "{}");
        TrackingEvent shortTimeout = new TrackingEvent("acme", "m1", EventType.TRACK, "a", "anon-1", "u1", null, null,
                T0, T0, "{}", "{}", "{\"woopra\":{\"timeout\":30000}}", "{}");
        TrackingEvent after50Minutes = event("m2", EventType.TRACK, "a", T0.plus(Duration.ofMinutes(50)), "{}");

        // an hour's timeout: 50 minutes later is the same visit
        assertThat(foldAll(kept, after50Minutes).visits()).containsExactly(new Visit(T0, T0.plus(Duration.ofMinutes(50))));
        // 30 s (Woopra's default): the gap still holds, so 50 minutes later is a new visit
        assertThat(foldAll(shortTimeout, after50Minutes).visitCount()).isEqualTo(2);
        // alone, the hour's hit shows a visit running 30 minutes past it (an hour less the gap)
        assertThat(foldAll(kept).visits()).containsExactly(new Visit(T0, T0.plus(Duration.ofMinutes(30))));
    }

    private Profile foldAll(TrackingEvent... events) {
        Profile profile = Profile.empty(KEY);
        for (TrackingEvent event : List.of(events)) {
            profile = fold.apply(profile, event);
        }
        return profile;
    }
}
