package com.profilegrid.pipelines.rules;

import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.pipelines.fold.DailyCounts;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the profile step asks a member's rule book, without a cluster: the labels a profile is in, the changes a step
 * made and the event triggers it fires, and when its labels next change with time alone, also after the project's
 * labels change.
 */
class RuleBookTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final Instant LAST_VISIT_END = NOW.minus(Duration.ofHours(20));
    private static final String HOOK = "\"webhook\": {\"url\": \"http://127.0.0.1:9/hook\", \"secret\": \"sixteen-characters\"}";

    private final RuleBook book = new RuleBook(Duration.ofDays(90), Clock.fixed(NOW, ZoneOffset.UTC));

    /** Seen on two visits, the last 20 hours ago; three purchases yesterday; on plan "pro". */
    private final Profile profile = Profile.empty(new ProfileKey("acme", "user:u1"))
            .withSeenAt(NOW.minus(Duration.ofDays(10))).withSeenAt(LAST_VISIT_END)
            .withVisits(List.of(new Visit(NOW.minus(Duration.ofDays(10)), NOW.minus(Duration.ofDays(10))),
                    new Visit(LAST_VISIT_END.minusSeconds(600), LAST_VISIT_END)))
            .withEventCounted("Purchase", 3)
            .withDailyCounts(Map.of(DailyCounts.key(DailyCounts.day(NOW) - 1, "Purchase"), 3L))
            .withProperty("plan", new PropertyValue("\"pro\"", NOW, "m1"));

    @Test
    void when_nothing_changes_then_the_profile_is_given_back_as_it_was_and_a_change_makes_a_new_label_set() {
        label("pro", "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}");
        label("buyers", "{\"event\": \"Purchase\", \"count\": {\"gte\": 3}, \"within\": \"P7D\"}");
        label("big-buyers", "{\"event\": \"Purchase\", \"count\": {\"gte\": 4}}");

        Profile evaluated = book.evaluate(profile);
        assertThat(evaluated.labels()).containsExactlyInAnyOrder("pro", "buyers");
        assertThat(book.evaluate(evaluated)).isSameAs(evaluated);

        // a label the profile holds but the project no longer defines is dropped
        assertThat(book.evaluate(evaluated.withLabel("deleted")).labels()).containsExactlyInAnyOrder("pro", "buyers");
        // one more purchase: one label more
        assertThat(book.evaluate(evaluated.withEventCounted("Purchase", 1)).labels())
                .containsExactlyInAnyOrder("pro", "buyers", "big-buyers");
    }

    @Test
    void when_a_step_changes_labels_then_exits_come_before_entries_each_in_name_order_and_deleted_labels_are_no_exit() {
        label("a", "{\"property\": \"plan\", \"op\": \"exists\"}");
        label("b", "{\"property\": \"plan\", \"op\": \"exists\"}");
        label("c", "{\"property\": \"plan\", \"op\": \"exists\"}");
        Profile before = profile.withLabels(Set.of("c", "a", "gone"));
        Profile after = profile.withLabels(Set.of("z", "b", "y"));

        assertThat(book.changes(before, after, null, "event:m2")).containsExactly(
                new Change(Change.Kind.EXITED, "a", "event:m2"), new Change(Change.Kind.EXITED, "c", "event:m2"),
                new Change(Change.Kind.ENTERED, "b", "event:m2"), new Change(Change.Kind.ENTERED, "y", "event:m2"),
                new Change(Change.Kind.ENTERED, "z", "event:m2"));
        assertThat(book.changes(after, after, null, "event:m3")).isEmpty();
    }

    @Test
    void when_an_event_is_folded_then_the_triggers_on_its_name_fire_as_their_where_tests_its_properties() {
        trigger("any-purchase", "{\"event\": \"Purchase\"}");
        trigger("big", "{\"event\": \"Purchase\", \"where\": {\"property\": \"price\", \"op\": \"gt\", \"value\": 100}}");
        trigger("tagged", "{\"event\": \"Purchase\", \"where\": {\"all\": [{\"property\": \"tags\", \"op\": "
                + "\"contains\", \"value\": \"gift\"}, {\"not\": {\"property\": \"coupon\", \"op\": \"exists\"}}]}}");
        trigger("pro-purchase", "{\"event\": \"Purchase\", \"profile\": {\"property\": \"plan\", \"op\": \"eq\", "
                + "\"value\": \"pro\"}}");
        trigger("signup", "{\"event\": \"Signed Up\"}");

        assertThat(fired("{\"price\": 100.5, \"tags\": [\"gift\"], \"note\": {\"price\": 1}}"))
                .containsExactlyInAnyOrder("any-purchase", "big", "tagged", "pro-purchase");
        assertThat(fired("{\"price\": 1E2, \"tags\": [\"gift\"], \"coupon\": null}"))
                .containsExactlyInAnyOrder("any-purchase", "tagged", "pro-purchase");
        assertThat(fired("{\"price\": \"200\", \"tags\": \"gift\", \"coupon\": \"X\"}"))
                .containsExactlyInAnyOrder("any-purchase", "pro-purchase");
        // the same name twice: the last is the property, as the fold takes it
        assertThat(fired("{\"price\": 500, \"price\": 5}")).containsExactlyInAnyOrder("any-purchase", "pro-purchase");
    }

    @Test
    void when_the_projects_labels_change_then_the_next_change_with_time_follows_them() {
        label("recent-3", "{\"visits\": {\"gte\": 3}, \"within\": \"P1D\"}");
        label("recent-1", "{\"visits\": {\"gte\": 1}, \"within\": \"P1D\"}");
        label("plan", "{\"property\": \"plan\", \"op\": \"exists\"}");
        // both visit labels change when the last visit leaves the day before now: one timer for both
        assertThat(book.nextDue(profile)).isEqualTo(LAST_VISIT_END.plus(Duration.ofDays(1)).plusMillis(1));

        label("buyers", "{\"event\": \"Purchase\", \"count\": {\"gte\": 1}, \"within\": \"PT1H\"}");
        label("recent-1", "{\"visits\": {\"gte\": 1}, \"within\": \"PT21H\"}");
        // yesterday's purchases leave an hour after today began (passed); the last visit leaves 21 hours after its end
        assertThat(book.nextDue(profile)).isEqualTo(LAST_VISIT_END.plus(Duration.ofHours(21)).plusMillis(1));

        book.accept(new LabelDefinition("acme", "recent-1", "{\"lastSeen\": {\"olderThan\": \"P30D\"}}", NOW, NOW));
        assertThat(book.nextDue(profile)).isEqualTo(LAST_VISIT_END.plus(Duration.ofDays(1)).plusMillis(1));
    }

    private List<String> fired(String properties) {
        TrackingEvent event = new TrackingEvent("acme", "m9", EventType.TRACK, "Purchase", null, "u1", null, null, NOW,
                NOW, properties, "{}", "{}", "{}");
        return book.changes(profile, profile, event, "event:m9").stream().map(Change::name).toList();
    }

    private void label(String name, String rule) {
        book.accept(new LabelDefinition("acme", name, rule, NOW, NOW));
    }

    private void trigger(String name, String on) {
        book.accept(new TriggerDefinition("acme", name, "{\"on\": " + on + ", " + HOOK + "}", NOW, NOW));
    }
}
