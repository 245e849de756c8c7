package com.profilegrid.node.labels;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.TestClusters;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.RuleBook;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A definition written through the admin API is in force on every member when the API answers, not only once the
 * maps' listeners deliver it: here one member's book follows no listener at all (as a member does that missed an
 * event), and still holds each change once {@link DefinitionSync} returns.
 */
class DefinitionSyncTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    private final TestHazelcastFactory factory = new TestHazelcastFactory();

    @AfterEach
    void stop() {
        factory.shutdownAll();
    }

    @Test
    void when_a_member_missed_the_listener_event_then_the_sync_brings_it_the_change_before_it_returns()
            throws Exception {
        // given: two members, each with a rule book; the second's book follows no listener
        String cluster = TestClusters.uniqueClusterName();
        RuleBook following = new RuleBook(Duration.ofDays(30), Clock.systemUTC());
        RuleBook deaf = new RuleBook(Duration.ofDays(30), Clock.systemUTC());
        HazelcastInstance a = member(cluster, following);
        member(cluster, deaf);
        try (AutoCloseable watching = following.watch(a)) {
            DefinitionSync sync = new DefinitionSync(a);
            String triggerKey = GridMaps.projectKey("acme", "receipt");
            String labelKey = GridMaps.projectKey("acme", "everyone");

            // when: a trigger and a label are written, and synced
            a.<String, TriggerDefinition>getMap(TriggerDefinition.MAP).set(triggerKey, trigger("receipt"));
            int holdingTrigger = sync.toAllMembers(TriggerDefinition.MAP, triggerKey);
            a.<String, LabelDefinition>getMap(LabelDefinition.MAP).set(labelKey, label("everyone", "{\"not\": "
                    + "{\"property\": \"plan\", \"op\": \"exists\"}}"));
            int holdingLabel = sync.toAllMembers(LabelDefinition.MAP, labelKey);

            // then: both members hold them at once
            assertThat(holdingTrigger).isEqualTo(2);
            assertThat(holdingLabel).isEqualTo(2);
            assertThat(deaf.triggersOf("acme")).containsOnlyKeys("receipt");
            assertThat(deaf.labelsOf(anyProfile())).containsExactly("everyone");

            // and a rule replaced, then a trigger deleted, reach it the same way
            a.<String, LabelDefinition>getMap(LabelDefinition.MAP).set(labelKey, label("everyone",
                    "{\"property\": \"plan\", \"op\": \"exists\"}"));
            sync.toAllMembers(LabelDefinition.MAP, labelKey);
            a.<String, TriggerDefinition>getMap(TriggerDefinition.MAP).delete(triggerKey);
            assertThat(sync.toAllMembers(TriggerDefinition.MAP, triggerKey)).isEqualTo(2);
            assertThat(deaf.labelsOf(anyProfile())).isEmpty();
            assertThat(deaf.triggersOf("acme")).isEmpty();
            assertThat(following.triggersOf("acme")).isEmpty();
        }
    }

    @Test
    void when_a_member_cannot_read_the_new_rule_then_its_older_version_is_not_left_in_force() throws Exception {
        // given: a member whose visits are kept 30 days holds a label, then the label's rule is replaced by one
        // whose window (60 days) it cannot evaluate
        String cluster = TestClusters.uniqueClusterName();
        RuleBook book = new RuleBook(Duration.ofDays(30), Clock.systemUTC());
        HazelcastInstance a = member(cluster, book);
        DefinitionSync sync = new DefinitionSync(a);
        String key = GridMaps.projectKey("acme", "regulars");
        a.<String, LabelDefinition>getMap(LabelDefinition.MAP).set(key, label("regulars", "{\"not\": "
                + "{\"property\": \"plan\", \"op\": \"exists\"}}"));
        assertThat(sync.toAllMembers(LabelDefinition.MAP, key)).isEqualTo(1);
        assertThat(book.labelsOf(anyProfile())).containsExactly("regulars");

        // when
        a.<String, LabelDefinition>getMap(LabelDefinition.MAP).set(key, label("regulars",
                "{\"visits\": {\"gte\": 0}, \"within\": \"P60D\"}"));
        int holding = sync.toAllMembers(LabelDefinition.MAP, key);

        // then: the member says it does not hold the rule, and evaluates no label of that name
        assertThat(holding).isZero();
        assertThat(book.labelsOf(anyProfile())).isEmpty();
    }

    private HazelcastInstance member(String cluster, RuleBook book) {
        Config config = TestClusters.withoutStore(cluster);
        config.getUserContext().put(RuleBook.USER_CONTEXT_KEY, book);
        return factory.newHazelcastInstance(config);
    }

    private static Profile anyProfile() {
        return Profile.empty(new ProfileKey("acme", "user:u1"));
    }

    private static LabelDefinition label(String name, String rule) {
        return new LabelDefinition("acme", name, rule, T0, T0);
    }

    private static TriggerDefinition trigger(String name) {
        return new TriggerDefinition("acme", name, "{\"on\": {\"event\": \"Purchase\"}, \"webhook\": "
                + "{\"url\": \"http://127.0.0.1:9/hook\", \"secret\": \"sixteen-characters\"}}", T0, T0);
    }
}
