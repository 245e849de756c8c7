package com.profilegrid.node.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starting a node a second time by mistake (same member port and data directory, another HTTP port) while the first
 * runs under load: the second exits 2 naming the running process and changes nothing; the first stays ready, and
 * every event it acknowledges reaches its profile. Before, the second start closed the first's log shard, so its
 * events were acknowledged and never folded.
 */
class SecondStartIT {

    private static final int BATCH = 20;

    @TempDir
    Path dir;

    @Test
    void when_a_node_is_started_twice_then_the_second_exits_and_the_first_keeps_folding() throws Exception {
        EmbeddedNode setup = EmbeddedNode.prepare(dir);
        ProjectStore.Created project = setup.project();
        int httpPort = setup.httpPort();
        String[] flags = setup.flags();
        AckedSender sender = new AckedSender(httpPort, project.writeKey(), BATCH);
        AtomicInteger batches = new AtomicInteger();

        try (NodeProcess first = NodeProcess.start(dir.resolve("first.log"), httpPort, flags).awaitReady()) {
            AutoCloseable load = sender.inBackground("load-", batches::incrementAndGet);
            await().atMost(Duration.ofSeconds(60)).until(() -> sender.acked.size() >= 400);

            try (NodeProcess second = NodeProcess.start(dir.resolve("second.log"), NodeFixture.freePort(), flags)) {
                assertThat(second.exitCode(Duration.ofSeconds(120))).as(second.output()).isEqualTo(2);
                assertThat(second.output()).contains("already running").contains("pid " + first.pid());
                assertThat(second.output()).doesNotContain("Closed 1 log shard");
            }
            int ackedAtSecondStart = sender.acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> sender.acked.size() >= ackedAtSecondStart + 400);
            load.close();

            assertThat(first.status("/ready")).isEqualTo(200);
            assertThat(sender.answered(200)).isEqualTo(batches.get());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (int user : new int[] {0, BATCH - 1}) {
                    assertThat(clicked(httpPort, project.readKey(), "u" + user)).isEqualTo(batches.get());
                }
            });
            assertThat(first.terminate(Duration.ofSeconds(60))).isTrue();
        }
    }

    private static long clicked(int port, String readKey, String userId) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/profiles/" + userId))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((readKey + ":").getBytes(StandardCharsets.UTF_8))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            return -1;
        }
        JsonNode counts = NodeFixture.json(response.body()).get("eventCounts");
        return counts.path("Clicked").asLong();
    }
}
