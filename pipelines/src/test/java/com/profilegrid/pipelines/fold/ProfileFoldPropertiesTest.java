package com.profilegrid.pipelines.fold;

import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.model.Visit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fold depends on the set of events only: any order, and any split joined by merge, give the same profile. */
class ProfileFoldPropertiesTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final ProfileKey KEY = new ProfileKey("acme", "user:u1");
    private final ProfileFold fold = new ProfileFold(new FoldSettings(Duration.ofMinutes(30), 5));
    /** Keeps visits for 6 hours of the day the events span, so a late event often meets a visit cut or dropped. */
    private final ProfileFold clipping = new ProfileFold(new FoldSettings(Duration.ofMinutes(30), 5)
            .withVisitRetention(Duration.ofHours(6)));
    /** Keeps every visit of the events. */
    private final ProfileFold keepingAll = new ProfileFold(new FoldSettings(Duration.ofMinutes(30), 5)
            .withVisitRetention(Duration.ofDays(3650)));

    @Property(tries = 300)
    void any_order_of_the_same_events_folds_to_the_same_profile(@ForAll("events") List<TrackingEvent> events,
                                                                   @ForAll long seed) {
        List<TrackingEvent> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, new Random(seed));

        assertThat(foldAll(shuffled)).isEqualTo(foldAll(events));
    }

    /** The recent events a step leaves, found by inserting the one new event, are those of merging the lists whole. */
    @Property(tries = 500)
    void one_more_recent_event_inserted_equals_the_lists_merged(@ForAll("recent") List<com.profilegrid.model.RecentEvent> held,
                                                                @ForAll("recent") List<com.profilegrid.model.RecentEvent> more) {
        // what a profile holds is what newest left: newest first, each message once, at most 5
        List<com.profilegrid.model.RecentEvent> kept = fold.merged(List.of(), held);
        for (com.profilegrid.model.RecentEvent added : more) {
            assertThat(fold.newest(kept, List.of(added))).isEqualTo(fold.merged(kept, List.of(added)));
        }
        // and a list not in that shape (not sorted, repeats) goes the general way
        assertThat(fold.newest(held, more.isEmpty() ? List.of() : List.of(more.get(0))))
                .isEqualTo(fold.merged(held, more.isEmpty() ? List.of() : List.of(more.get(0))));
    }

    @Provide
    Arbitrary<List<com.profilegrid.model.RecentEvent>> recent() {
        Arbitrary<com.profilegrid.model.RecentEvent> event = Combinators.combine(
                Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 6),
                Arbitraries.of(EventType.TRACK, EventType.PAGE)).as((id, second, type) ->
                new com.profilegrid.model.RecentEvent("m" + id, type, type == EventType.TRACK ? "a" : null,
                        T0.plusSeconds(second)));
        return event.list().ofMaxSize(9);
    }

    @Property(tries = 300)
    void folding_two_halves_and_merging_equals_folding_all(@ForAll("events") List<TrackingEvent> events,
                                                           @ForAll long seed) {
        Random random = new Random(seed);
        List<TrackingEvent> left = new ArrayList<>();
        List<TrackingEvent> right = new ArrayList<>();
        for (TrackingEvent event : events) {
            (random.nextBoolean() ? left : right).add(event);
        }

        Profile merged = fold.merge(foldAll(left), foldAll(right));

        assertThat(merged).isEqualTo(foldAll(events));
        assertThat(fold.merge(foldAll(right), foldAll(left))).isEqualTo(merged);
    }

    @Property(tries = 300)
    void with_a_short_visit_retention_any_order_and_any_split_still_fold_to_the_same_profile(
            @ForAll("events") List<TrackingEvent> events, @ForAll long seed) {
        assertOrderAndSplitFree(clipping, events, seed);
    }

    @Property(tries = 300)
    void with_a_visit_retention_the_visits_are_those_of_all_events_seen_from_the_window_start(
            @ForAll("events") List<TrackingEvent> events) {
        Profile clipped = foldAll(clipping, events);
        Profile whole = foldAll(keepingAll, events);
        if (events.isEmpty()) {
            assertThat(clipped.visits()).isEmpty();
            return;
        }
        Instant windowStart = whole.lastSeen().minus(Duration.ofHours(6));

        List<Visit> expected = new ArrayList<>();
        for (Visit visit : whole.visits()) {
            if (!visit.start().isBefore(windowStart)) {
                expected.add(visit);
            } else if (!visit.end().isBefore(windowStart)) {
                expected.add(new Visit(windowStart, visit.end()));
            } else if (!visit.end().plus(Duration.ofMinutes(30)).isBefore(windowStart)) {
                expected.add(new Visit(visit.end(), visit.end()));
            }
        }
        assertThat(clipped.visits()).isEqualTo(expected);
        assertThat(clipped.withVisits(whole.visits())).isEqualTo(whole);
    }

    @Property(tries = 200)
    void over_days_with_a_one_day_retention_any_order_and_split_keep_the_same_daily_counts_and_visits(
            @ForAll("eventsOverDays") List<TrackingEvent> events, @ForAll long seed) {
        ProfileFold oneDay = new ProfileFold(new FoldSettings(Duration.ofMinutes(30), 5).withVisitRetention(Duration.ofDays(1)));
        Profile inOrder = assertOrderAndSplitFree(oneDay, events, seed);
        if (!events.isEmpty()) {
            long firstDay = DailyCounts.day(inOrder.lastSeen().minus(Duration.ofDays(1)));
            long kept = events.stream().filter(event -> event.type() != EventType.PING) // a ping counts no event
                    .filter(event -> DailyCounts.day(event.timestamp()) >= firstDay).count();
            assertThat(inOrder.dailyCounts().values().stream().mapToLong(Long::longValue).sum())
                    .as("events of the days kept").isEqualTo(kept);
        }
    }

    @Provide
    Arbitrary<List<TrackingEvent>> eventsOverDays() {
        return events().map(events -> events.stream().map(event -> {
            Instant at = T0.plus(Duration.between(T0, event.timestamp()).multipliedBy(4));
            return new TrackingEvent(event.project(), event.messageId(), event.type(), event.eventName(),
                    event.anonymousId(), event.userId(), event.previousId(), event.groupId(), at, at, event.properties(),
                    event.traits(), event.context(), event.raw());
        }).toList());
    }

    @Provide
    Arbitrary<List<TrackingEvent>> events() {
        Arbitrary<EventType> types = Arbitraries.of(EventType.TRACK, EventType.TRACK, EventType.IDENTIFY, EventType.PAGE,
                EventType.GROUP, EventType.PING);
        // Woopra hits may keep their visit open longer than the gap (timeout, milliseconds)
        Arbitrary<String> contexts = Arbitraries.of("{}", "{}", "{\"woopra\":{\"timeout\":30000}}",
                "{\"woopra\":{\"timeout\":3600000}}", "{\"woopra\":{\"timeout\":\"7200000\"}}");
        Arbitrary<Long> minutes = Arbitraries.longs().between(0, 24 * 60);
        Arbitrary<String> names = Arbitraries.of("Clicked", "Signed Up", "Viewed");
        Arbitrary<String> traits = Arbitraries.of("{}", "{\"plan\":\"pro\"}", "{\"plan\":\"free\",\"age\":30}",
                "{\"email\":\"a@example.com\"}", "{\"plan\":\"team\"}");
        return Combinators.combine(types, minutes, names, traits, contexts).as(Draft::new).list().ofMaxSize(40).map(drafts -> {
            List<TrackingEvent> events = new ArrayList<>();
            for (int i = 0; i < drafts.size(); i++) {
                Draft d = drafts.get(i);
                Instant at = T0.plus(Duration.ofMinutes(d.minute()));
                events.add(new TrackingEvent("acme", "m" + i, d.type(), d.type() == EventType.TRACK ? d.name() : null,
                        "anon-" + (i % 3), i % 2 == 0 ? "u1" : null, null, null, at, at, "{}", d.traits(), d.context(), "{}"));
            }
            return events;
        });
    }

    private record Draft(EventType type, long minute, String name, String traits, String context) {
    }

    /**
     * Asserts that {@code with} folds {@code events} shuffled, and split in two halves joined by merge, to what it folds
     * them to in order; answers that profile.
     */
    private static Profile assertOrderAndSplitFree(ProfileFold with, List<TrackingEvent> events, long seed) {
        Random random = new Random(seed);
        List<TrackingEvent> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, random);
        List<TrackingEvent> left = new ArrayList<>();
        List<TrackingEvent> right = new ArrayList<>();
        for (TrackingEvent event : shuffled) {
            (random.nextBoolean() ? left : right).add(event);
        }
        Profile inOrder = foldAll(with, events);
        assertThat(foldAll(with, shuffled)).isEqualTo(inOrder);
        assertThat(with.merge(foldAll(with, left), foldAll(with, right))).isEqualTo(inOrder);
        return inOrder;
    }

    private Profile foldAll(List<TrackingEvent> events) {
        return foldAll(fold, events);
    }

    private static Profile foldAll(ProfileFold with, List<TrackingEvent> events) {
        Profile profile = Profile.empty(KEY);
        for (TrackingEvent event : events) {
            profile = with.apply(profile, event);
        }
        return profile;
    }
}
