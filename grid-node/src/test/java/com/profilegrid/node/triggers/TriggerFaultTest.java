package com.profilegrid.node.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.profilegrid.model.Generation;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.support.Partitions;
import com.profilegrid.pipelines.fold.FoldSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Firings under failure: members die (one while firings wait deferred in safe mode), one joins, the job restarts and
 * is cancelled and started again, while visitors buy. Every label entry and every matching event is delivered, each
 * under one firing id; nothing deferred is lost.
 */
class TriggerFaultTest {

    private static final int ROUNDS = 5;
    private static final int BATCHES_PER_ROUND = 20;
    private static final int VISITORS = 60;

    @TempDir
    Path dir;

    @Test
    void when_members_die_and_the_job_restarts_then_each_firing_is_delivered_under_one_id_and_none_is_lost()
            throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        String cluster = TestClusters.uniqueClusterName();
        int[] ports = {NodeFixture.freePort(), NodeFixture.freePort(), NodeFixture.freePort(), NodeFixture.freePort()};
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2] + ",127.0.0.1:"
                + ports[3];
        List<NodeFixture> nodes = new ArrayList<>();
        // the node's story: a restore from the snapshot after a member loss is told at INFO
        ch.qos.logback.classic.Logger source = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "com.profilegrid.pipelines.profile.TrackingLogSource");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> told =
                new ch.qos.logback.core.read.ListAppender<>();
        told.start();
        source.addAppender(told);
        try (Receiver receiver = new Receiver()) {
            for (int i = 0; i < 3; i++) {
                nodes.add(start(dir.resolve("n" + i), db, cluster, ports[i], members));
            }
            NodeFixture first = nodes.get(0);
            ProjectStore.Created project = first.createProject("acme");
            String admin = "/admin/projects/" + project.projectId();
            first.admin("POST", admin + "/labels", "{\"name\": \"buyers\", \"rule\": {\"event\": \"Purchase\", "
                    + "\"count\": {\"gte\": 1}}}");
            first.admin("POST", admin + "/triggers", "{\"name\": \"welcome\", \"on\": {\"labelEntered\": \"buyers\"}, "
                    + "\"webhook\": {\"url\": \"" + receiver.url("/enter") + "\", \"secret\": \"sixteen-characters\"}}");
            first.admin("POST", admin + "/triggers", "{\"name\": \"receipt\", \"on\": {\"event\": \"Purchase\"}, "
                    + "\"webhook\": {\"url\": \"" + receiver.url("/event") + "\", \"secret\": \"sixteen-characters\"}}");

            Random random = new Random(11);
            Set<String> purchases = new HashSet<>();
            Set<String> buyers = new HashSet<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (int b = 0; b < BATCHES_PER_ROUND; b++) {
                    NodeFixture target = nodes.get(random.nextInt(nodes.size()));
                    target.postAcknowledged("/v1/batch", project.writeKey(), batch(random, "r" + round + "-b" + b + "-",
                            purchases, buyers));
                }
                switch (round) {
                    case 0 -> {
                        kill(nodes.remove(2), first);
                    }
                    case 1 -> nodes.add(start(dir.resolve("n3"), db, cluster, ports[3], members));
                    case 2 -> {
                        Job job = first.node().member().getJet().getJob(new Generation(0).jobName());
                        await().atMost(Duration.ofSeconds(60)).until(() -> job.getStatus() == JobStatus.RUNNING);
                        job.restart();
                        first.admin("POST", "/admin/safe-mode", "{\"enabled\": true, \"reason\": \"fault drill\"}");
                    }
                    case 3 -> {
                        Job job = first.node().member().getJet().getJob(new Generation(0).jobName());
                        await().atMost(Duration.ofSeconds(60)).until(() -> job.getStatus() == JobStatus.RUNNING);
                        job.cancel();
                        await().atMost(Duration.ofSeconds(60)).until(() -> job.getStatus() == JobStatus.FAILED);
                        ProfileJob.ensureRunning(first.node().member(), FoldSettings.DEFAULTS);
                        // a member dies while firings wait deferred
                        kill(nodes.remove(1), first);
                    }
                    default -> { }
                }
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> NodeFixture.json(first.admin("GET", "/admin/safe-mode",
                    null).body()).get("deferred").asInt() > 0);
            JsonNode exit = NodeFixture.json(first.admin("POST", "/admin/safe-mode/exit", "{\"deferred\": \"deliver\"}")
                    .body());
            assertThat(exit.get("delivering").asInt()).isPositive();

            try {
                await().atMost(Duration.ofSeconds(180)).untilAsserted(() -> {
                    assertThat(byCause(receiver.at("/event"), "/cause/messageId").keySet()).as("purchases delivered")
                            .containsExactlyInAnyOrderElementsOf(purchases);
                    assertThat(byCause(receiver.at("/enter"), "/profileId").keySet()).as("buyers welcomed")
                            .containsExactlyInAnyOrderElementsOf(buyers);
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // seen once in CI (no label entry delivered at all): say where the entries stopped before failing
                try {
                    TriggerFaultDiagnosis.print(db, project.projectId(), nodes);
                } catch (RuntimeException diagnosis) {
                    e.addSuppressed(diagnosis);
                }
                throw e;
            }
            Thread.sleep(2_000); // any second firing would be on its way by now
            // one firing id per cause, however often it was delivered (at least once)
            byCause(receiver.at("/event"), "/cause/messageId").forEach((cause, ids) -> assertThat(ids).as(cause).hasSize(1));
            byCause(receiver.at("/enter"), "/profileId").forEach((cause, ids) -> assertThat(ids).as(cause).hasSize(1));
            // whether a kill above restarted the job from a snapshot depends on Jet's timing (a member that joined
            // takes part only after the scale-up delay; a member outside the job leaves it running): a restart of
            // the running job, which takes a terminal snapshot and goes on from it, is told for certain
            Job job = first.node().member().getJet().getJob(new Generation(0).jobName());
            long[] restartedAt = {System.nanoTime() - 10_000_000_000L};
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (told.list.stream().anyMatch(e -> e.getFormattedMessage().contains("restored from its last snapshot"))) {
                    return true;
                }
                if (job.getStatus() == JobStatus.RUNNING && System.nanoTime() - restartedAt[0] > 5_000_000_000L) {
                    restartedAt[0] = System.nanoTime();
                    job.restart();
                }
                return false;
            });
        } finally {
            source.detachAppender(told);
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            TestDatabases.drop(db);
        }
    }

    /** The firing ids delivered, by the cause each names at {@code pointer} of its body. */
    private static Map<String, Set<String>> byCause(List<Receiver.Received> received, String pointer) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (Receiver.Received delivery : received) {
            ids.computeIfAbsent(NodeFixture.json(delivery.body()).at(pointer).asText(), cause -> new HashSet<>())
                    .add(delivery.idempotencyKey());
        }
        return ids;
    }

    /** Ten events of known visitors, a third of them purchases (recorded in {@code purchases} and {@code buyers}). */
    private static String batch(Random random, String prefix, Set<String> purchases, Set<String> buyers) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 10; i++) {
            int visitor = random.nextInt(VISITORS);
            boolean purchase = random.nextInt(3) == 0;
            String messageId = prefix + i;
            if (purchase) {
                purchases.add(messageId);
                buyers.add("user:u" + visitor);
            }
            body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u").append(visitor)
                    .append("\",\"event\":\"").append(purchase ? "Purchase" : "Viewed").append("\",\"messageId\":\"")
                    .append(messageId).append("\",\"timestamp\":\"").append(Instant.now().minusSeconds(600)).append("\"}");
        }
        return body.append("]}").toString();
    }

    /**
     * Terminates {@code killed}'s member and waits until its backups own its partitions in {@code survivor}'s table.
     * The subject here is the firings; a node joining while Hazelcast still repairs the table after a loss is the
     * fault suite's (a clean-clone CI run once saw a table name a departed member for minutes after a join one second
     * later; a node now logs that at WARN, {@code MembershipLog}).
     */
    private static void kill(NodeFixture killed, NodeFixture survivor) {
        UUID departed = killed.node().member().getCluster().getLocalMember().getUuid();
        killed.node().member().getLifecycleService().terminate();
        killed.close();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                Partitions.ownedBy(survivor.node().member(), departed))
                .as("partitions the partition table still gives the departed member").isEmpty());
    }

    private static NodeFixture start(Path dataDir, Database.Settings db, String cluster, int port, String members) {
        return NodeFixture.start(NodeFixture.settings(dataDir, db, cluster, IngestSettings.DEFAULTS, port, members)
                .withTriggers(TriggerSettings.defaults().withLease(Duration.ofSeconds(10))));
    }
}
