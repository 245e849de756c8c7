package com.profilegrid.node.profile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricNames;
import com.hazelcast.jet.core.metrics.MetricTags;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRebuild;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The identity work of one large project is spread (docs/profile-state.md, "Identity work spreads"): its events with
 * identity links are checked on the processors of their raw ids, over the whole cluster, and only those stating a link
 * new to the run reach the project's one identity graph. A project whose visitors repeat their links costs the graph
 * one event per new pair of ids, not one per event; the profiles still equal the rebuild from the log.
 */
class IdentitySpreadTest {

    private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
    private static final int VISITORS = 200;
    private static final int NEW_VISITORS = 50;
    private static final int REPEATS = 3;

    @TempDir
    Path dir;

    @Test
    void when_visitors_repeat_their_links_then_only_new_pairs_reach_the_projects_graph_and_the_checks_run_everywhere()
            throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 2)) {
            NodeFixture a = cluster.node(0);
            ProjectStore.Created project = a.createProject("large");
            HazelcastInstance member = a.node().member();
            Job job = member.getJet().getJob(Generation.active(member).jobName());
            // the job restarts once the second member has joined (Jet scales up): wait for the run on both, then for
            // the time after its start in which the check lets every event through (a replay, maybe)
            String execution = await().atMost(Duration.ofSeconds(60)).until(() -> runOnBothMembers(job),
                    java.util.Objects::nonNull);
            await().pollDelay(Duration.ofMillis(2_500)).until(() -> true);

            send(cluster, project, 0, VISITORS, 0);
            awaitProfilesEqualRebuild(a, project);
            Map<String, Long> before = await().atMost(Duration.ofSeconds(30)).until(() -> received(job),
                    counts -> counts.getOrDefault(StatePipeline.IDENTITY_STAGE, 0L) == VISITORS
                            && counts.getOrDefault(StatePipeline.NEW_LINKS_STAGE, 0L) == VISITORS);

            for (int round = 1; round <= REPEATS; round++) {
                send(cluster, project, 0, VISITORS, round);
            }
            send(cluster, project, VISITORS, VISITORS + NEW_VISITORS, REPEATS + 1);
            awaitProfilesEqualRebuild(a, project);

            long checked = (long) VISITORS * REPEATS + NEW_VISITORS;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, Long> after = received(job);
                assertThat(after.get(StatePipeline.NEW_LINKS_STAGE) - before.get(StatePipeline.NEW_LINKS_STAGE))
                        .as("events with links checked (%s, then %s)", before, after)
                        .isEqualTo(checked);
                assertThat(after.get(StatePipeline.IDENTITY_STAGE) - before.get(StatePipeline.IDENTITY_STAGE))
                        .as("events that reached the project's graph").isEqualTo(NEW_VISITORS);
            });
            assertThat(runOnBothMembers(job)).as("the run of the job, unchanged").isEqualTo(execution);
            Map<String, Long> perProcessor = receivedByProcessor(job, StatePipeline.NEW_LINKS_STAGE);
            assertThat(perProcessor.values().stream().filter(count -> count > 0).count())
                    .as("processors that checked links: %s", perProcessor).isGreaterThanOrEqualTo(2);
            assertThat(perProcessor.entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getKey().split("/")[0]).distinct().count()).as("members that checked links").isEqualTo(2);
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** An identify of each visitor in {@code [from, to)} stating its anonymous id with its user id; round by round later. */
    private static void send(NodeCluster cluster, ProjectStore.Created project, int from, int to, int round)
            throws InterruptedException {
        for (int start = from; start < to; start += 50) {
            StringBuilder body = new StringBuilder("{\"batch\":[");
            for (int v = start; v < Math.min(to, start + 50); v++) {
                body.append(v == start ? "" : ",").append("{\"type\":\"identify\",\"userId\":\"u").append(v)
                        .append("\",\"anonymousId\":\"a").append(v).append("\",\"messageId\":\"r").append(round)
                        .append('-').append(v).append("\",\"timestamp\":\"")
                        .append(T0.plus(Duration.ofMinutes(round))).append("\",\"traits\":{\"round\":").append(round)
                        .append("}}");
            }
            cluster.node(start / 50 % 2).postLogged("/v1/batch", project.writeKey(), body.append("]}").toString());
        }
    }

    private static void awaitProfilesEqualRebuild(NodeFixture node, ProjectStore.Created project) {
        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<ProfileKey, Profile> expected = LogRebuild.profiles(node.logRecords().stream().map(LogRecord::event)
                    .filter(event -> event.project().equals(project.projectId())).toList(),
                    new ProfileFold(FoldSettings.DEFAULTS));
            Map<ProfileKey, Profile> live = ReadersView.profiles(profiles, project.projectId());
            assertThat(live).isEqualTo(expected);
        });
    }

    /** Items each vertex of the job received, over its inputs and processors (Jet's metrics, collected every 5 s or so). */
    private static Map<String, Long> received(Job job) {
        Map<String, Long> counts = new HashMap<>();
        for (Measurement measurement : job.getMetrics().get(MetricNames.RECEIVED_COUNT)) {
            if (isInput(measurement)) {
                counts.merge(measurement.tag(MetricTags.VERTEX), measurement.value(), Long::sum);
            }
        }
        return counts;
    }

    /** Items each processor of {@code vertex} received, by member and processor ({@code member/proc}). */
    private static Map<String, Long> receivedByProcessor(Job job, String vertex) {
        Map<String, Long> counts = new HashMap<>();
        for (Measurement measurement : job.getMetrics().get(MetricNames.RECEIVED_COUNT)) {
            if (vertex.equals(measurement.tag(MetricTags.VERTEX)) && isInput(measurement)) {
                counts.merge(measurement.tag(MetricTags.MEMBER) + "/" + measurement.tag(MetricTags.PROCESSOR),
                        measurement.value(), Long::sum);
            }
        }
        return counts;
    }

    /** The execution of the job when its stages run on both members (by Jet's metrics), else {@code null}. */
    private static String runOnBothMembers(Job job) {
        java.util.Set<String> members = new java.util.HashSet<>();
        java.util.Set<String> executions = new java.util.HashSet<>();
        for (Measurement measurement : job.getMetrics().get(MetricNames.RECEIVED_COUNT)) {
            if (StatePipeline.NEW_LINKS_STAGE.equals(measurement.tag(MetricTags.VERTEX))) {
                members.add(measurement.tag(MetricTags.MEMBER));
                executions.add(measurement.tag(MetricTags.EXECUTION));
            }
        }
        return members.size() == 2 && executions.size() == 1 ? executions.iterator().next() : null;
    }

    private static boolean isInput(Measurement measurement) {
        String ordinal = measurement.tag(MetricTags.ORDINAL);
        return ordinal != null && ordinal.chars().allMatch(Character::isDigit);
    }
}
