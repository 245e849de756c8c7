package com.profilegrid.pipelines.state;

import com.profilegrid.model.EventType;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** An event with identity links goes on to its project's graph only when a link is new to this processor's run. */
class ForwardedLinksTest {

    private static final Instant AFTER_START = Instant.parse("2026-11-01T10:00:01Z");
    private static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");

    private final ForwardedLinks links = new ForwardedLinks(2);
    private long seq;

    @Test
    void when_a_visitor_states_its_link_again_later_then_only_the_first_goes_on() {
        assertThat(goesOn(identify("m1", "u1", "a1", T0, AFTER_START))).isTrue();
        assertThat(goesOn(identify("m2", "u1", "a1", T0.plusSeconds(60), AFTER_START))).isFalse();
        assertThat(goesOn(identify("m1", "u1", "a1", T0, AFTER_START))).as("a duplicate of the first").isFalse();
    }

    @Test
    void when_the_same_pair_arrives_with_an_earlier_link_then_it_goes_on_since_the_graph_decides_by_the_earliest() {
        assertThat(goesOn(identify("m5", "u1", "a1", T0.plusSeconds(60), AFTER_START))).isTrue();
        assertThat(goesOn(identify("m4", "u1", "a1", T0, AFTER_START))).isTrue();
        assertThat(goesOn(identify("m3", "u1", "a1", T0.plusSeconds(60), AFTER_START))).isFalse();
    }

    @Test
    void when_an_event_adds_a_new_link_to_a_known_one_then_it_goes_on() {
        assertThat(goesOn(identify("m1", "u1", "a1", T0, AFTER_START))).isTrue();
        TrackingEvent withEmail = new TrackingEvent("acme", "m2", EventType.IDENTIFY, null, "a1", "u1", null, null,
                T0.plusSeconds(1), AFTER_START, "{}", "{\"email\":\"u1@example.com\"}", "{}", "{}");
        assertThat(goesOn(withEmail)).isTrue();
        assertThat(goesOn(identify("m3", "u1", "a2", T0, AFTER_START))).as("another anonymous id of the user").isTrue();
    }

    @Test
    void when_an_event_was_in_the_log_when_the_run_began_then_it_goes_on_as_a_possible_replay() {
        assertThat(goesOn(identify("m1", "u1", "a1", T0, AFTER_START))).isTrue();
        TrackingEvent again = identify("m0", "u1", "a1", T0.plusSeconds(60), AFTER_START.minus(Duration.ofMinutes(5)));
        assertThat(links.goesOn(GridMaps.projectKey("acme", "user:u1"), new LogRecord(0, ++seq, again, true)))
                .isTrue();
        assertThat(goesOn(identify("m2", "u1", "a1", T0.plusSeconds(60), AFTER_START))).isFalse();
    }

    @Test
    void when_more_pairs_than_the_bound_were_sent_then_the_least_recently_used_goes_on_again() {
        assertThat(goesOn(identify("m1", "u1", "a1", T0, AFTER_START))).isTrue();
        assertThat(goesOn(identify("m2", "u2", "a2", T0, AFTER_START))).isTrue();
        assertThat(goesOn(identify("m3", "u1", "a1", T0.plusSeconds(1), AFTER_START))).isFalse();
        assertThat(goesOn(identify("m4", "u3", "a3", T0, AFTER_START))).isTrue(); // the bound of 2: forgets u2-a2

        assertThat(goesOn(identify("m5", "u1", "a1", T0.plusSeconds(2), AFTER_START))).isFalse();
        assertThat(goesOn(identify("m6", "u2", "a2", T0.plusSeconds(2), AFTER_START))).isTrue();
    }

    private boolean goesOn(TrackingEvent event) {
        return links.goesOn(GridMaps.projectKey(event.project(), "user:" + event.userId()), new LogRecord(0, ++seq, event));
    }

    private static TrackingEvent identify(String messageId, String user, String anon, Instant at, Instant receivedAt) {
        return new TrackingEvent("acme", messageId, EventType.IDENTIFY, null, anon, user, null, null, at, receivedAt,
                "{}", "{}", "{}", "{}");
    }
}
