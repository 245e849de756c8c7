package com.profilegrid.pipelines.state;

import com.profilegrid.model.EventType;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an identity step sends to the raw ids: a decision for each id whose profile changes, and none for an id that
 * keeps its own profile (a user id new to the graph): its raw id sends its events there already, so such a decision
 * was a raw-id step, an entry write and a profile step per new visitor that changed nothing.
 */
class IdentityDecisionsTest {

    private static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");
    private static final long EPOCH = 1L << 40;

    private final IdentityGraph graph = new IdentityGraph();
    private long seq;

    @Test
    void when_a_new_visitor_is_identified_then_only_its_anonymous_id_is_told_its_profile() {
        assertThat(decisions(identify("m1", "u1", "a1", T0)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("anon:a1", "anon:a1 -> user:u1"));
    }

    @Test
    void when_an_identified_visitor_links_another_anonymous_id_then_only_that_id_moves() {
        decisions(identify("m1", "u1", "a1", T0));
        assertThat(decisions(identify("m2", "u1", "a2", T0.plusSeconds(60))))
                .containsExactlyInAnyOrderEntriesOf(Map.of("anon:a2", "anon:a2 -> user:u1"));
        assertThat(decisions(identify("m3", "u1", "a2", T0.plusSeconds(120)))).as("the same link again").isEmpty();
    }

    @Test
    void when_a_known_anonymous_group_is_identified_then_every_id_of_it_moves_and_the_new_user_id_is_not_told() {
        TrackingEvent withEmail = new TrackingEvent("acme", "m1", EventType.IDENTIFY, null, "a1", null, null, null, T0,
                T0, "{}", "{\"email\":\"x@example.com\"}", "{}", "{}");
        Map<String, String> first = decisions(withEmail);
        String group = first.isEmpty() ? "anon:a1" : first.values().iterator().next().split(" -> ")[1];

        Map<String, String> identified = decisions(identify("m2", "u1", "a1", T0.plusSeconds(60)));

        assertThat(identified).containsOnlyKeys("anon:a1", "email:x@example.com");
        assertThat(identified.values()).allSatisfy(move -> assertThat(move).endsWith(" -> user:u1"));
        assertThat(identified.get("anon:a1")).startsWith(group + " ->");
    }

    @Test
    void when_a_replayed_event_announces_its_cluster_then_every_id_is_told_its_profile_even_its_own() {
        // a run that stopped may have recorded the link and not sent its decisions: the announcement sends them all
        StatePipeline.Decided decided = StatePipeline.decide(graph, EPOCH, "acme",
                new LogRecord(0, ++seq, identify("m1", "u1", "a1", T0), true), true);
        assertThat(decided.decisions()).extracting(ToRawId.Decision::rawKey).contains(
                GridMaps.projectKey("acme", "anon:a1"), GridMaps.projectKey("acme", "user:u1"));
        assertThat(decided.decisions()).allSatisfy(decision -> assertThat(decision.to()).isEqualTo("user:u1"));
    }

    /** The decisions the graph's step sends for {@code event}, as "from -> to" per raw id. */
    private Map<String, String> decisions(TrackingEvent event) {
        StatePipeline.Decided decided = StatePipeline.decide(graph, EPOCH, "acme", new LogRecord(0, ++seq, event), false);
        if (decided == null) {
            return Map.of();
        }
        return decided.decisions().stream().collect(Collectors.toMap(decision -> GridMaps.idOf(decision.rawKey()),
                decision -> decision.from() + " -> " + decision.to()));
    }

    private static TrackingEvent identify(String messageId, String user, String anon, Instant at) {
        return new TrackingEvent("acme", messageId, EventType.IDENTIFY, null, anon, user, null, null, at, at,
                "{}", "{}", "{}", "{}");
    }
}
