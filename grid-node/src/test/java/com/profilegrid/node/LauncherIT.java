package com.profilegrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The documented command, {@code bin/profilegrid node --demo}, starts a real member in its own JVM that
 * becomes healthy and ready, shows demo profiles, rebuilds the demo project's profiles when
 * {@code bin/profilegrid rebuild --project} asks, and stops gracefully on SIGTERM.
 */
class LauncherIT {

    @TempDir
    Path dataDir;

    @Test
    void when_the_launcher_starts_a_node_then_it_is_healthy_and_stops_on_sigterm() throws Exception {
        Path log = dataDir.resolve("node.log");
        int httpPort = NodeFixture.freePort();
        try (NodeProcess node = NodeProcess.start(log, httpPort, "--demo",
                "--cluster-name", TestClusters.uniqueClusterName(),
                "--hazelcast-port", Integer.toString(NodeFixture.freePort()),
                "--data-dir", dataDir.toString())) {
            node.awaitReady();
            assertThat(node.status("/health")).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> node.output().contains("visits=") && node.output().contains("demo: prj_"));

            // the documented rebuild command, for the demo project alone, through the node's HTTP admin API
            Matcher demo = Pattern.compile("demo: project (prj_\\w+)").matcher(node.output());
            assertThat(demo.find()).isTrue();
            String url = "http://127.0.0.1:" + httpPort;
            Run rebuilt = run("rebuild", "--project", demo.group(1), "--url", url, "--data-dir", dataDir.toString());
            assertThat(rebuilt.exit()).as(rebuilt.output()).isZero();
            assertThat(rebuilt.output()).contains("\"state\" : \"DONE\"", "\"project\" : \"" + demo.group(1) + "\"",
                    "Rebuild"); // its progress bar
            Run unknown = run("rebuild", "--project", "prj_nope", "--url", url, "--data-dir", dataDir.toString());
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.output()).contains("no project prj_nope");

            assertThat(node.terminate(Duration.ofSeconds(60))).as("node exits after SIGTERM").isTrue();
            assertThat(node.output()).contains("ProfileGrid node stopping", "ProfileGrid node stopped");
            // the node's own story, not Hazelcast's tables and DAG dumps; a clean stop on the embedded database
            String output = node.output();
            String startup = output.substring(0, output.indexOf("ProfileGrid node up"));
            assertThat(startup.lines().count()).as(startup).isLessThan(20);
            String shutdown = output.substring(output.indexOf("ProfileGrid node stopping"));
            assertThat(shutdown).as(shutdown).doesNotContain("Exception").doesNotContain(" WARN ");
        }
    }

    private record Run(int exit, String output) {
    }

    /** Runs {@code bin/profilegrid} with these arguments to its end (two minutes at most). */
    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(NodeProcess.HOME.resolve("bin/profilegrid").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
