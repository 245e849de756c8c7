package com.profilegrid.node.ingest;

import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node process killed with SIGKILL while it spools (database down) loses no acknowledged event: after the
 * database and the node are back, every acknowledged event is in the log exactly once.
 */
class SpoolKillIT {

    private static final int BATCH = 20;

    @TempDir
    Path dir;

    @Test
    void when_a_spooling_node_is_killed_then_no_acknowledged_event_is_lost() throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            ProjectStore.Created project = TestDatabases.createProject(database.settings(), "acme");
            int httpPort = NodeFixture.freePort();
            String[] flags = {"--cluster-name", TestClusters.uniqueClusterName(),
                    "--hazelcast-port", Integer.toString(NodeFixture.freePort()),
                    "--data-dir", dir.resolve("node").toString(), "--db-url", database.settings().url()};
            AckedSender sender = new AckedSender(httpPort, project.writeKey(), BATCH);

            try (NodeProcess node = NodeProcess.start(dir.resolve("node-1.log"), httpPort, flags).awaitReady()) {
                for (int r = 0; r < 20; r++) {
                    sender.send("before-" + r + "-");
                }
                database.stop();
                AtomicBoolean sending = new AtomicBoolean(true);
                Thread load = new Thread(() -> {
                    for (int r = 0; sending.get(); r++) {
                        sender.send("during-" + r + "-");
                    }
                });
                load.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> sender.answered(202) >= 50);

                node.kill();
                sending.set(false);
                load.join(30_000);
            }
            database.start();
            assertThat(sender.answered(202)).isGreaterThanOrEqualTo(50);
            Set<String> acked = sender.acked;

            try (NodeProcess node = NodeProcess.start(dir.resolve("node-2.log"), httpPort, flags).awaitReady()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(AckedSender.countsInLog(database.settings().url()).keySet()).containsAll(acked));
                assertThat(AckedSender.countsInLog(database.settings().url()).values()).allMatch(count -> count == 1);
                assertThat(node.terminate(Duration.ofSeconds(60))).isTrue();
            }
        }
    }
}
