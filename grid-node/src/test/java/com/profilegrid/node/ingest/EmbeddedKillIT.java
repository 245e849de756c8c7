package com.profilegrid.node.ingest;

import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node on the embedded default (H2 in its data directory, held by the node's own process) killed with SIGKILL
 * while it acknowledges Segment batches loses none of them: after a restart every acknowledged message id is in the
 * tracking log, once. Before H2 wrote each commit through, the last second or two of acknowledged events was lost.
 */
class EmbeddedKillIT {

    private static final int BATCH = 20;
    private static final int ACKED_BEFORE_KILL = 3_000;

    @TempDir
    Path dir;

    @Test
    void when_the_node_holding_the_embedded_database_is_killed_then_no_acknowledged_event_is_lost() throws Exception {
        Path dataDir = dir.resolve("node");
        String url = TestDatabases.embedded(dataDir).url();
        ProjectStore.Created project = TestDatabases.createProject(TestDatabases.embedded(dataDir), "acme");
        int httpPort = NodeFixture.freePort();
        String[] flags = {"--cluster-name", TestClusters.uniqueClusterName(),
                "--hazelcast-port", Integer.toString(NodeFixture.freePort()), "--data-dir", dataDir.toString()};
        AckedSender sender = new AckedSender(httpPort, project.writeKey(), BATCH);

        try (NodeProcess node = NodeProcess.start(dir.resolve("node-1.log"), httpPort, flags).awaitReady()) {
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                for (int r = 0; sending.get(); r++) {
                    sender.send("load-" + r + "-");
                }
            });
            load.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> sender.acked.size() >= ACKED_BEFORE_KILL);

            node.kill();
            sending.set(false);
            load.join(30_000);
        }
        assertThat(sender.answered(200)).isGreaterThanOrEqualTo(ACKED_BEFORE_KILL / BATCH);

        try (NodeProcess node = NodeProcess.start(dir.resolve("node-2.log"), httpPort, flags).awaitReady()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(AckedSender.countsInLog(url).keySet()).containsAll(sender.acked));
            Map<String, Integer> counts = AckedSender.countsInLog(url);
            assertThat(counts.values()).allMatch(count -> count == 1);
            assertThat(node.terminate(Duration.ofSeconds(60))).isTrue();
        }
    }
}
