package com.profilegrid.node.log;

import com.profilegrid.pipelines.profile.LogRecord;

import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two nodes ingest into one log at once while a reader tails it: the reader sees every committed event
 * exactly once, and each shard's events in their order.
 */
class TwoWritersTest {

    private static final int SENDERS = 4;
    private static final int REQUESTS_PER_SENDER = 60;
    private static final int BATCH = 25;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_two_nodes_ingest_concurrently_then_a_tailing_reader_sees_every_event_once_in_shard_order(TestDatabases kind)
            throws Exception {
        Database.Settings db = kind.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 2)) {
            NodeFixture a = cluster.node(0);
            NodeFixture b = cluster.node(1);
            ProjectStore.Created project = a.createProject("acme");
            List<LogRecord> tailed = new ArrayList<>();
            AtomicBoolean loadDone = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(SENDERS + 1);
            Future<?> tailer = pool.submit(() -> {
                LogTailer reader = new LogTailer(a.node().trackingLog(), 500);
                while (true) {
                    boolean done = loadDone.get();
                    List<LogRecord> batch = reader.poll();
                    tailed.addAll(batch);
                    if (done && batch.isEmpty()) {
                        return null;
                    }
                }
            });
            Set<String> acked = ConcurrentHashMap.newKeySet();
            List<Future<?>> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.add(pool.submit(() -> {
                    for (int r = 0; r < REQUESTS_PER_SENDER; r++) {
                        // every other request goes to both nodes at once with the same ids: a race on dedupe
                        String prefix = (r % 2 == 0 ? "dup-" : "s" + sender + "-") + r + "-" + sender + "-";
                        String body = batch(prefix);
                        NodeFixture first = (r + sender) % 2 == 0 ? a : b;
                        // 200 logged; 202 spooled when the log was slow (a loaded machine), replayed into the log soon;
                        // a 503 (the node cannot take it now) is sent again after its Retry-After, as clients do
                        first.postAcknowledged("/v1/batch", project.writeKey(), body);
                        if (r % 2 == 0) {
                            NodeFixture second = first == a ? b : a;
                            second.postAcknowledged("/v1/batch", project.writeKey(), body);
                        }
                        for (int i = 0; i < BATCH; i++) {
                            acked.add(prefix + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> sender : senders) {
                sender.get(120, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> a.logRecords().size() >= acked.size());
            loadDone.set(true);
            tailer.get(60, TimeUnit.SECONDS);
            pool.shutdown();

            Map<String, Integer> seen = new HashMap<>();
            Map<Long, Long> lastSeqPerShard = new HashMap<>();
            for (LogRecord record : tailed) {
                seen.merge(record.event().messageId(), 1, Integer::sum);
                Long last = lastSeqPerShard.put(record.shard(), record.seq());
                assertThat(last == null || last < record.seq()).as("shard %d in order", record.shard()).isTrue();
            }
            assertThat(seen.keySet()).isEqualTo(acked);
            assertThat(seen.values()).allMatch(count -> count == 1);
            assertThat(new HashSet<>(lastSeqPerShard.keySet())).hasSizeGreaterThanOrEqualTo(2);
            assertThat(a.logRecords()).hasSameSizeAs(tailed);
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static String batch(String prefix) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < BATCH; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"e\",\"userId\":\"u\",\"messageId\":\"")
                    .append(prefix).append(i).append("\"}");
        }
        return body.append("]}").toString();
    }
}
