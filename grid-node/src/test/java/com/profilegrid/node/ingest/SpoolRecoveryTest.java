package com.profilegrid.node.ingest;

import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.node.project.ProjectStore;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.profilegrid.model.Generation;
import com.profilegrid.node.rebuild.EventCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With the database gone mid-load, ingest answers 202 from the spool; once it is back, the log has every acked event once. */
class SpoolRecoveryTest {

    private static final int SENDERS = 4;
    private static final int BATCH = 20;

    @TempDir
    Path dir;

    @Test
    void when_the_database_is_stopped_mid_load_then_acknowledged_events_reach_the_log_exactly_once() throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"));
             NodeFixture node = NodeFixture.onStoppable(dir, database)) {
            ProjectStore.Created project = node.createProject("acme");
            Set<String> acked = ConcurrentHashMap.newKeySet();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicInteger phase = new AtomicInteger();
            CountDownLatch sentWhileDown = new CountDownLatch(100);
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.submit(() -> {
                    for (int request = 0; phase.get() < 3; request++) {
                        String prefix = "s" + sender + "-r" + request + "-";
                        HttpResponse<String> response = node.post("/v1/batch", project.writeKey(),
                                TrackingApiContract.batchOfTracks(prefix, BATCH));
                        statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (response.statusCode() / 100 == 2) {
                            for (int i = 0; i < BATCH; i++) {
                                acked.add(prefix + i);
                            }
                        }
                        if (phase.get() == 1 && response.statusCode() == 202) {
                            sentWhileDown.countDown();
                        }
                    }
                    return null;
                });
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 1_000);
            Job profileJob = node.node().member().getJet().getJob(Generation.active(node.node().member()).jobName());
            database.stop();
            phase.set(1);
            try {
                assertThat(sentWhileDown.await(60, TimeUnit.SECONDS))
                        .as("requests answered 202 while the database is down; statuses %s", statuses).isTrue();
            } finally {
                database.start();
            }
            phase.set(2);
            await().atMost(Duration.ofSeconds(60)).until(() -> statuses.getOrDefault(200, new AtomicInteger()).get() > 0
                    && node.node().replayer().replayed() > 0);
            phase.set(3);
            senders.shutdown();
            assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            assertThat(statuses.keySet()).as("statuses seen").isSubsetOf(200, 202);
            assertThat(statuses.get(202).get()).isPositive();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(!node.node().spool().hasPending()).isTrue());
            List<LogRecord> log = node.logRecords();
            Map<String, Long> counts = log.stream()
                    .collect(Collectors.groupingBy(record -> record.event().messageId(), Collectors.counting()));
            assertThat(counts.keySet()).containsAll(acked);
            assertThat(counts.values()).allMatch(count -> count == 1);

            // the profile job rode out the outage: the same job, not one started over, and every event counted once
            Job after = node.node().member().getJet().getJob(profileJob.getName());
            assertThat(after.getId()).isEqualTo(profileJob.getId());
            assertThat(after.getStatus()).isEqualTo(JobStatus.RUNNING);
            await().atMost(Duration.ofSeconds(60)).until(() -> EventCount.folded(node.node().member(), project.projectId())
                    == log.size());
        }
    }
}
