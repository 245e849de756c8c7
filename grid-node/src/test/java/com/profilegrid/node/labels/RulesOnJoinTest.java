package com.profilegrid.node.labels;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.rules.RuleBook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that joins takes partitions, and the profile job's steps with them, as soon as its member is up: its member
 * must know every label and trigger from then on, not only once it follows the definition maps. (A member that did
 * not evaluated no label and no event trigger on the profiles its first steps changed: the fault suite's repeated
 * kills lost purchases' firings that way.)
 */
class RulesOnJoinTest {

    private static final String RULE = "{\"property\": \"plan\", \"op\": \"exists\"}";

    @TempDir
    Path dir;

    @Test
    void when_a_node_joins_then_its_member_knows_the_labels_and_triggers_as_soon_as_it_is_up() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        String cluster = TestClusters.uniqueClusterName();
        int first = NodeFixture.freePort();
        int second = NodeFixture.freePort();
        String members = "127.0.0.1:" + first + ",127.0.0.1:" + second;
        try (NodeFixture a = NodeFixture.start(dir.resolve("a"), db, cluster, IngestSettings.DEFAULTS, first, members)) {
            String project = a.createProject("acme").projectId();
            assertThat(a.admin("POST", "/admin/projects/" + project + "/labels",
                    "{\"name\": \"planned\", \"rule\": " + RULE + "}").statusCode()).isEqualTo(201);
            assertThat(a.admin("POST", "/admin/projects/" + project + "/triggers", "{\"name\": \"receipt\", \"on\": "
                    + "{\"event\": \"Purchase\"}, \"webhook\": {\"url\": \"http://127.0.0.1:9/hook\", \"secret\": "
                    + "\"sixteen-characters\"}}").statusCode()).isEqualTo(201);

            // what the joining member knows at the moment it is up (before its node goes on starting)
            CompletableFuture<String> known = new CompletableFuture<>();
            String joiningName = "profilegrid-127.0.0.1-" + second;
            HazelcastInstance memberA = a.node().member();
            memberA.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                    CompletableFuture.runAsync(() -> {
                        HazelcastInstance joining = Hazelcast.getHazelcastInstanceByName(joiningName);
                        RuleBook book = RuleBook.of(joining);
                        known.complete(book == null ? "no rule book" : "labels "
                                + book.labelsOf(emptyProfile(project)).size() + ", triggers "
                                + book.triggersOf(project).keySet());
                    });
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                }
            });

            try (NodeFixture b = NodeFixture.start(dir.resolve("b"), db, cluster, IngestSettings.DEFAULTS, second,
                    members)) {
                assertThat(known.get(60, TimeUnit.SECONDS)).isEqualTo("labels 1, triggers [receipt]");
            }
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** A profile with the label's property set: every label of the rule above holds for it. */
    private static com.profilegrid.model.Profile emptyProfile(String project) {
        com.profilegrid.model.Profile empty = com.profilegrid.model.Profile.empty(
                new com.profilegrid.model.ProfileKey(project, "user:u1"));
        return new com.profilegrid.model.Profile(empty.project(), empty.profileId(), empty.identities(),
                java.util.Map.of("plan", new com.profilegrid.model.PropertyValue("\"pro\"",
                        java.time.Instant.parse("2026-12-01T00:00:00Z"), "m1")),
                empty.eventCounts(), empty.firstSeen(), empty.lastSeen(), empty.visits(), empty.recentEvents(),
                empty.labels(), empty.dailyCounts());
    }
}
