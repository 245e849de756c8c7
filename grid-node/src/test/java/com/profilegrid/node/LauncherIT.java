package com.profilegrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The documented command, {@code bin/profilegrid node --demo}, starts a real member in its own JVM that
 * becomes healthy and ready, shows demo profiles, and stops gracefully on SIGTERM.
 */
class LauncherIT {

    private static final Path HOME = Path.of(System.getProperty("profilegrid.home", "..")).toAbsolutePath().normalize();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void when_the_launcher_starts_a_node_then_it_is_healthy_and_stops_on_sigterm() throws Exception {
        int httpPort = GridNodeTest.freePort();
        Path log = dataDir.resolve("node.log");
        ProcessBuilder command = new ProcessBuilder(List.of(
                HOME.resolve("bin/profilegrid").toString(), "node", "--demo",
                "--cluster-name", TestClusters.uniqueClusterName(),
                "--hazelcast-port", Integer.toString(GridNodeTest.freePort()),
                "--http-port", Integer.toString(httpPort),
                "--data-dir", dataDir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process node = command.start();
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> status(httpPort, "/health") == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> status(httpPort, "/ready") == 200);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("demo: demo/visitor-"));

            node.destroy(); // SIGTERM

            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node exits after SIGTERM").isTrue();
            assertThat(Files.readString(log)).contains("ProfileGrid node stopping", "ProfileGrid node stopped");
        } finally {
            node.destroyForcibly();
        }
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
