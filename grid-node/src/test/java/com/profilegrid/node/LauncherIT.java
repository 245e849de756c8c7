package com.profilegrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The documented command, {@code bin/profilegrid node --demo}, starts a real member in its own JVM that
 * becomes healthy and ready, shows demo profiles, and stops gracefully on SIGTERM.
 */
class LauncherIT {

    @TempDir
    Path dataDir;

    @Test
    void when_the_launcher_starts_a_node_then_it_is_healthy_and_stops_on_sigterm() throws Exception {
        Path log = dataDir.resolve("node.log");
        try (NodeProcess node = NodeProcess.start(log, NodeFixture.freePort(), "--demo",
                "--cluster-name", TestClusters.uniqueClusterName(),
                "--hazelcast-port", Integer.toString(NodeFixture.freePort()),
                "--data-dir", dataDir.toString())) {
            node.awaitReady();
            assertThat(node.status("/health")).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> node.output().contains("visits=") && node.output().contains("demo: prj_"));

            assertThat(node.terminate(Duration.ofSeconds(60))).as("node exits after SIGTERM").isTrue();
            assertThat(node.output()).contains("ProfileGrid node stopping", "ProfileGrid node stopped");
        }
    }
}
