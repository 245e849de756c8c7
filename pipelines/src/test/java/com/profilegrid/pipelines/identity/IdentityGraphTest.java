package com.profilegrid.pipelines.identity;

import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IdentityGraphTest {

    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    private static Link link(String a, String b, int second) {
        return new Link(a, b, T0.plusSeconds(second), "m" + second);
    }

    @Test
    void when_an_anonymous_visitor_identifies_then_both_ids_name_the_user_profile() {
        IdentityGraph graph = new IdentityGraph();

        Map<String, String> changed = graph.add(link("user:u1", "anon:a1", 1));

        assertThat(changed).containsEntry("anon:a1", "user:u1").containsEntry("user:u1", "user:u1");
        assertThat(graph.profileId("anon:a1")).isEqualTo("user:u1");
        assertThat(graph.profileId("anon:never-linked")).isEqualTo("anon:never-linked");
    }

    @Test
    void when_aliases_chain_then_every_id_reaches_one_profile() {
        IdentityGraph graph = new IdentityGraph();
        graph.add(link("anon:a1", "anon:a2", 1));
        graph.add(link("anon:a2", "email:x@example.com", 2));
        assertThat(graph.profileId("anon:a1")).isEqualTo("email:x@example.com");

        graph.add(link("user:u1", "anon:a3", 3));
        graph.add(link("user:u1", "anon:a1", 4));

        assertThat(graph.idsOf("anon:a2")).containsExactlyInAnyOrder("anon:a1", "anon:a2", "anon:a3",
                "email:x@example.com", "user:u1");
        assertThat(Set.of("anon:a1", "anon:a2", "anon:a3", "email:x@example.com"))
                .allSatisfy(id -> assertThat(graph.profileId(id)).isEqualTo("user:u1"));
    }

    @Test
    void when_a_link_would_merge_two_known_users_then_it_is_refused_with_its_reason() {
        IdentityGraph graph = new IdentityGraph();
        graph.add(link("user:u1", "anon:shared", 1));

        Map<String, String> changed = graph.add(link("user:u2", "anon:shared", 2));

        assertThat(graph.profileId("anon:shared")).isEqualTo("user:u1");
        assertThat(graph.profileId("user:u2")).isEqualTo("user:u2");
        assertThat(changed).doesNotContainKey("anon:shared");
        assertThat(graph.refusals()).singleElement().satisfies(refusal -> {
            assertThat(refusal.link().messageId()).isEqualTo("m2");
            assertThat(refusal.reason()).contains("user:u1", "user:u2");
        });
    }

    @Test
    void when_an_older_link_arrives_late_then_the_decision_is_the_one_made_in_event_time_order() {
        IdentityGraph graph = new IdentityGraph();
        graph.add(link("user:u2", "anon:shared", 5));

        Map<String, String> changed = graph.add(link("user:u1", "anon:shared", 1));

        assertThat(graph.profileId("anon:shared")).isEqualTo("user:u1");
        assertThat(changed).containsEntry("anon:shared", "user:u1");
        assertThat(graph.refusals()).extracting(r -> r.link().messageId()).containsExactly("m5");
    }

    @Test
    void when_events_carry_ids_then_their_links_follow_segment_and_woopra_rules() {
        TrackingEvent identify = new TrackingEvent("acme", "m1", EventType.IDENTIFY, null, "a1", "u1", null, null, T0, T0,
                "{}", "{\"email\":\"Ann@Example.com\"}", "{}", "{}");
        TrackingEvent woopra = new TrackingEvent("acme", "m2", EventType.TRACK, "play", "cookie1", null, null, null, T0, T0,
                "{}", "{\"email\":\"ann@example.com\"}", "{}", "{}");
        TrackingEvent alias = new TrackingEvent("acme", "m3", EventType.ALIAS, null, null, "u1", "old-id", null, T0, T0,
                "{}", "{}", "{}", "{}");

        assertThat(Ids.links(identify)).extracting(Link::a, Link::b).containsExactly(
                org.assertj.core.groups.Tuple.tuple("user:u1", "anon:a1"),
                org.assertj.core.groups.Tuple.tuple("user:u1", "email:ann@example.com"));
        assertThat(Ids.links(woopra)).extracting(Link::b).containsExactly("email:ann@example.com");
        assertThat(Ids.links(alias)).extracting(Link::b).containsExactly("anon:old-id");
        assertThat(Ids.primary(woopra)).isEqualTo("anon:cookie1");
    }

    @Property(tries = 300)
    void a_graph_restored_from_its_links_decides_the_same(@ForAll("links") List<Link> links) {
        IdentityGraph graph = new IdentityGraph();
        links.forEach(graph::add);

        IdentityGraph restored = IdentityGraph.restore(graph.links(), graph.revision());

        assertThat(restored.revision()).isEqualTo(graph.revision());
        assertThat(Set.copyOf(restored.refusals())).isEqualTo(Set.copyOf(graph.refusals()));
        for (Link link : links) {
            assertThat(restored.profileId(link.a())).isEqualTo(graph.profileId(link.a()));
            assertThat(restored.profileId(link.b())).isEqualTo(graph.profileId(link.b()));
        }
    }

    @Property(tries = 1000)
    void any_arrival_order_of_the_same_links_makes_the_same_decisions(@ForAll("links") List<Link> links,
                                                                      @ForAll long seed) {
        List<Link> shuffled = new ArrayList<>(links);
        Collections.shuffle(shuffled, new Random(seed));
        IdentityGraph inOrder = new IdentityGraph();
        IdentityGraph anyOrder = new IdentityGraph();
        Map<String, String> reportedInOrder = new HashMap<>();
        Map<String, String> reportedAnyOrder = new HashMap<>();
        links.stream().sorted(Link.DECISION_ORDER).forEach(link -> reportedInOrder.putAll(inOrder.add(link)));
        shuffled.forEach(link -> reportedAnyOrder.putAll(anyOrder.add(link)));

        for (Link link : links) {
            for (String id : List.of(link.a(), link.b())) {
                assertThat(anyOrder.profileId(id)).isEqualTo(inOrder.profileId(id));
                assertThat(reportedAnyOrder.get(id)).as("last reported profile id of %s", id).isEqualTo(anyOrder.profileId(id));
                assertThat(reportedInOrder.get(id)).isEqualTo(inOrder.profileId(id));
            }
        }
        assertThat(Set.copyOf(anyOrder.refusals())).isEqualTo(Set.copyOf(inOrder.refusals()));
    }

    @Property(tries = 1000)
    void each_link_reports_exactly_the_ids_whose_profile_changed(@ForAll("links") List<Link> links, @ForAll long seed) {
        List<Link> shuffled = new ArrayList<>(links);
        Collections.shuffle(shuffled, new Random(seed));
        IdentityGraph graph = new IdentityGraph();
        for (Link link : shuffled) {
            Map<String, String> before = new HashMap<>();
            graph.ids().forEach(id -> before.put(id, graph.profileId(id)));

            Map<String, IdentityGraph.Move> moves = graph.moves(link);

            Map<String, IdentityGraph.Move> expected = new HashMap<>();
            for (String id : graph.ids()) {
                String now = graph.profileId(id);
                String was = before.get(id);
                if (!now.equals(was)) {
                    expected.put(id, new IdentityGraph.Move(was != null ? was : id, now));
                }
            }
            assertThat(moves).as("after %s", link).isEqualTo(expected);
        }
    }

    @Test
    void an_id_joining_a_profile_of_very_many_ids_moves_that_id_alone() {
        IdentityGraph graph = new IdentityGraph();
        int many = 100_000;
        for (int i = 0; i < many; i++) {
            graph.add(link("user:shared", "anon:device" + i, i));
        }

        Map<String, IdentityGraph.Move> moves = graph.moves(link("anon:device-new", "user:shared", many));

        assertThat(moves).isEqualTo(Map.of("anon:device-new", new IdentityGraph.Move("anon:device-new", "user:shared")));
        assertThat(graph.clusterOf("anon:device7")).hasSize(many + 2);
        // the whole group moves once, when an anonymous group of many ids is identified
        IdentityGraph anonymous = new IdentityGraph();
        for (int i = 1; i < 1_000; i++) {
            anonymous.add(link("anon:d0", "anon:d" + i, i));
        }
        assertThat(anonymous.moves(link("user:late", "anon:d500", 5_000))).hasSize(1_001);
    }

    @Property(tries = 1000)
    void a_graph_that_forgets_clusters_and_loads_them_back_decides_the_same(@ForAll("links") List<Link> links,
                                                                           @ForAll long seed) {
        Random random = new Random(seed);
        IdentityGraph whole = new IdentityGraph();
        IdentityGraph cached = new IdentityGraph();
        List<Link> recorded = new ArrayList<>();
        for (Link link : links) {
            whole.add(link);
            loadClusters(cached, recorded, List.of(link.a(), link.b()));
            cached.add(link);
            recorded.add(link);
            if (random.nextInt(3) == 0) {
                cached.forgetEldest(random.nextInt(5));
                assertThat(cached.size()).isLessThanOrEqualTo(Math.max(0, cached.size()));
            }
        }
        for (Link link : links) {
            for (String id : List.of(link.a(), link.b())) {
                loadClusters(cached, recorded, List.of(id));
                assertThat(cached.profileId(id)).as(id).isEqualTo(whole.profileId(id));
            }
        }
        assertThat(Set.copyOf(cached.refusals())).isEqualTo(Set.copyOf(whole.refusals()));
    }

    @Test
    void when_the_eldest_clusters_are_forgotten_then_the_graph_holds_at_most_the_bound() {
        IdentityGraph graph = new IdentityGraph();
        graph.add(link("user:u1", "anon:a1", 1));
        graph.add(link("user:u2", "anon:a2", 2));
        graph.add(link("user:u3", "anon:a3", 3));
        graph.clusterOf("user:u1"); // used last

        assertThat(graph.forgetEldest(3)).isEqualTo(4);
        assertThat(graph.holds("user:u1")).isTrue();
        assertThat(graph.holds("anon:a2")).isFalse();
        assertThat(graph.holds("user:u3")).isFalse();
        assertThat(graph.profileId("anon:a1")).isEqualTo("user:u1");
        assertThat(graph.links()).hasSize(1);
    }

    /** As the identity stage does: the clusters of {@code ids} from the recorded links, forgetting any they overlap. */
    private static void loadClusters(IdentityGraph graph, List<Link> recorded, List<String> ids) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> frontier = new java.util.HashSet<>();
        for (String id : ids) {
            if (!graph.holds(id)) {
                frontier.add(id);
                seen.add(id);
            }
        }
        java.util.Set<Link> found = new java.util.HashSet<>();
        while (!frontier.isEmpty()) {
            java.util.Set<String> next = new java.util.HashSet<>();
            for (Link link : recorded) {
                if ((frontier.contains(link.a()) || frontier.contains(link.b())) && found.add(link)) {
                    for (String id : List.of(link.a(), link.b())) {
                        if (seen.add(id)) {
                            next.add(id);
                        }
                    }
                }
            }
            frontier = next;
        }
        seen.stream().filter(graph::holds).toList().forEach(graph::forget);
        graph.load(found);
    }

    @Provide
    Arbitrary<List<Link>> links() {
        Arbitrary<String> ids = Arbitraries.of("user:u1", "user:u2", "user:u3", "email:e1", "email:e2",
                "anon:a1", "anon:a2", "anon:a3", "anon:a4", "anon:a5");
        return Arbitraries.integers().between(0, 1_000).list().ofMaxSize(25).flatMap(seconds ->
                ids.list().ofSize(seconds.size() * 2).map(pair -> {
                    List<Link> links = new ArrayList<>();
                    for (int i = 0; i < seconds.size(); i++) {
                        if (!pair.get(2 * i).equals(pair.get(2 * i + 1))) {
                            links.add(new Link(pair.get(2 * i), pair.get(2 * i + 1), T0.plusSeconds(seconds.get(i)), "m" + i));
                        }
                    }
                    return links;
                }));
    }
}
