package com.profilegrid.node.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.model.GridMaps;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.ingest.EmbeddedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node in a JVM of its own with a small heap and the smallest profile budget takes more visitors than its budget
 * holds: the state maps evict, nothing runs out of memory, and every visitor's profile reads back whole over HTTP
 * (from memory or, once evicted, from the database). A rebuild of them all evicts and loads its own generation's rows
 * as it goes, and every profile reads back whole from the generation it switched readers to.
 */
class SmallHeapIT {

    /**
     * More than the budget holds: at 4% of 256 MB, each state map's share is about 4 MB, and a packed entry of these
     * visitors costs about 250 bytes (6,000 visitors all fitted once the values were packed).
     */
    private static final int VISITORS = 20_000;
    private static final int EVENTS_EACH = 2;
    private static final int BATCH = 100;
    private static final String ADMIN_TOKEN = "small-heap-admin";

    @TempDir
    Path dir;

    @Test
    void when_a_small_heap_node_takes_more_profiles_than_its_budget_holds_then_every_one_reads_back_whole() throws Exception {
        EmbeddedNode setup = EmbeddedNode.prepare(dir);
        List<String> flags = new ArrayList<>(List.of(setup.flags()));
        flags.addAll(List.of("--profile-heap-percent", "4", "--admin-token", ADMIN_TOKEN));
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + setup.httpPort();
        try (NodeProcess node = NodeProcess.start(dir.resolve("node.log"), setup.httpPort(),
                Map.of("JAVA_OPTS", "-Xmx256m"), flags.toArray(String[]::new)).awaitReady()) {
            for (int round = 0; round < EVENTS_EACH; round++) {
                for (int from = 0; from < VISITORS; from += BATCH) {
                    StringBuilder body = new StringBuilder("{\"batch\":[");
                    for (int v = from; v < from + BATCH; v++) {
                        body.append(v == from ? "" : ",").append("{\"type\":\"track\",\"userId\":\"small-").append(v)
                                .append("\",\"event\":\"Viewed\",\"messageId\":\"r").append(round).append('-').append(v)
                                .append("\",\"timestamp\":\"2026-11-01T10:0").append(round).append(":00Z\"}");
                    }
                    NodeFixture.postBatch(http, base, setup.project().writeKey(), body.append("]}").toString());
                }
            }

            // every visitor read back whole: polled, as the job folds the last events (a minute at most in all)
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<Long, Integer> counts;
            List<String> wrong;
            do {
                Thread.sleep(1_000);
                counts = new java.util.TreeMap<>();
                wrong = new ArrayList<>();
                for (int v = 0; v < VISITORS; v++) {
                    long seen = viewed(http, base, setup, v);
                    counts.merge(seen, 1, Integer::sum);
                    if (seen != EVENTS_EACH && wrong.size() < 10) {
                        wrong.add("small-" + v + ": " + seen);
                    }
                }
            } while (counts.getOrDefault((long) EVENTS_EACH, 0) < VISITORS && System.nanoTime() < deadline);
            assertThat(counts).as("visitors by events read back (some: %s); node log:%n%s", wrong,
                    node.output().lines().filter(line -> line.contains("WARN") || line.contains("ERROR")).limit(40)
                            .reduce("", (a, b) -> a + b + "\n")).containsOnlyKeys((long) EVENTS_EACH);

            HazelcastInstance client = HazelcastClient.newHazelcastClient(clientOf(setup));
            try {
                assertThat(client.getMap("raw-ids").size()).as("raw ids in memory").isLessThan(VISITORS);
                assertThat(client.getMap("profile-state").size()).as("profiles in memory").isLessThan(VISITORS);
            } finally {
                client.shutdown();
            }

            // a rebuild of more profiles than the budget holds: its generation evicts and loads its own rows as it
            // goes, readers switch to it, and every profile reads back whole from it
            HttpResponse<String> started = http.send(admin(base, "/admin/rebuild")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            JsonNode[] rebuild = new JsonNode[1];
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                rebuild[0] = NodeFixture.json(http.send(admin(base, "/admin/rebuild").GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                return List.of("FAILED", "DONE").contains(rebuild[0].get("state").asText());
            });
            assertThat(rebuild[0].get("state").asText()).as(rebuild[0].toString()).isEqualTo("DONE");
            HazelcastInstance after = HazelcastClient.newHazelcastClient(clientOf(setup));
            try {
                assertThat(after.getMap("raw-ids-g1").size()).as("rebuilt raw ids in memory").isLessThan(VISITORS);
            } finally {
                after.shutdown();
            }
            Map<Long, Integer> rebuilt = new java.util.TreeMap<>();
            List<String> shortOnes = new ArrayList<>();
            for (int v = 0; v < VISITORS; v++) {
                long seen = viewed(http, base, setup, v);
                rebuilt.merge(seen, 1, Integer::sum);
                if (seen != EVENTS_EACH && shortOnes.size() < 10) {
                    shortOnes.add("small-" + v + ": " + seen);
                }
            }
            assertThat(rebuilt).as("visitors by events read back after the rebuild (some: %s)", shortOnes)
                    .containsOnlyKeys((long) EVENTS_EACH);

            assertThat(node.output()).doesNotContain("OutOfMemoryError");
            assertThat(node.terminate(Duration.ofSeconds(60))).as("the node stops").isTrue();
        }
    }

    private static HttpRequest.Builder admin(String base, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    /**
     * The visitor's count of Viewed events as a read over HTTP answers it (0 while it is not found; -1 when the node
     * answers 503 with Retry-After, as it does to a read the grid did not answer within its time while the small heap
     * folds the backlog: the polls ask again, and every visitor must still read back whole before their deadline).
     */
    private static long viewed(HttpClient http, String base, EmbeddedNode setup, int visitor) throws Exception {
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/profiles/small-" + visitor))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (setup.project().readKey() + ":").getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (read.statusCode() == 404) {
            return 0;
        }
        if (read.statusCode() == 503) {
            assertThat(read.headers().firstValue("Retry-After")).as("a 503 says when to ask again").isPresent();
            return -1;
        }
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        JsonNode counts = NodeFixture.json(read.body()).get("eventCounts");
        return counts.has("Viewed") ? counts.get("Viewed").asLong() : 0;
    }

    private static ClientConfig clientOf(EmbeddedNode setup) {
        List<String> flags = List.of(setup.flags());
        ClientConfig config = new ClientConfig().setClusterName(flags.get(flags.indexOf("--cluster-name") + 1))
                .setProperty("hazelcast.logging.type", "slf4j");
        config.getNetworkConfig().addAddress("127.0.0.1:" + flags.get(flags.indexOf("--hazelcast-port") + 1));
        return config;
    }
}
