package com.profilegrid.node.ingest;

import com.profilegrid.node.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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
        EmbeddedNode setup = EmbeddedNode.prepare(dir);
        String url = setup.url();
        AckedSender sender = new AckedSender(setup.httpPort(), setup.project().writeKey(), BATCH);

        try (NodeProcess node = NodeProcess.start(dir.resolve("node-1.log"), setup.httpPort(), setup.flags()).awaitReady()) {
            try (AutoCloseable load = sender.inBackground("load-", () -> { })) {
                await().atMost(Duration.ofSeconds(120)).until(() -> sender.acked.size() >= ACKED_BEFORE_KILL);
                node.kill();
            }
        }
        assertThat(sender.answered(200)).isGreaterThanOrEqualTo(ACKED_BEFORE_KILL / BATCH);

        try (NodeProcess node = NodeProcess.start(dir.resolve("node-2.log"), setup.httpPort(), setup.flags()).awaitReady()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(AckedSender.countsInLog(url).keySet()).containsAll(sender.acked));
            Map<String, Integer> counts = AckedSender.countsInLog(url);
            assertThat(counts.values()).allMatch(count -> count == 1);
            assertThat(node.terminate(Duration.ofSeconds(60))).isTrue();
        }
    }
}
