package com.profilegrid.node.ingest;

import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void when_a_spooling_node_is_killed_then_no_acknowledged_event_is_lost() throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            ProjectStore.Created project;
            try (Database db = Database.open(database.settings())) {
                project = new ProjectStore(db.dataSource(), Clock.systemUTC()).create("acme");
            }
            int httpPort = NodeFixture.freePort();
            String[] flags = {"--cluster-name", TestClusters.uniqueClusterName(),
                    "--hazelcast-port", Integer.toString(NodeFixture.freePort()),
                    "--data-dir", dir.resolve("node").toString(), "--db-url", database.settings().url()};
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicInteger spooled = new AtomicInteger();

            try (NodeProcess node = NodeProcess.start(dir.resolve("node-1.log"), httpPort, flags).awaitReady()) {
                for (int r = 0; r < 20; r++) {
                    send(httpPort, project.writeKey(), "before-" + r + "-", acked, spooled);
                }
                database.stop();
                AtomicBoolean sending = new AtomicBoolean(true);
                Thread sender = new Thread(() -> {
                    for (int r = 0; sending.get(); r++) {
                        send(httpPort, project.writeKey(), "during-" + r + "-", acked, spooled);
                    }
                });
                sender.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> spooled.get() >= 50);

                node.kill();
                sending.set(false);
                sender.join(30_000);
            }
            database.start();
            assertThat(spooled.get()).isGreaterThanOrEqualTo(50);

            try (NodeProcess node = NodeProcess.start(dir.resolve("node-2.log"), httpPort, flags).awaitReady()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(countsInLog(database).keySet()).containsAll(acked));
                assertThat(countsInLog(database).values()).allMatch(count -> count == 1);
                assertThat(node.terminate(Duration.ofSeconds(60))).isTrue();
            }
        }
    }

    private void send(int port, String writeKey, String prefix, Set<String> acked, AtomicInteger spooled) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(TrackingApiContract.batchOfTracks(prefix, BATCH))).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                for (int i = 0; i < BATCH; i++) {
                    acked.add(prefix + i);
                }
            }
            if (response.statusCode() == 202) {
                spooled.incrementAndGet();
            }
        } catch (IOException e) {
            // the node died mid-request: not acknowledged, so nothing is owed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Integer> countsInLog(H2TcpServer database) throws Exception {
        Database.Settings settings = database.settings();
        Map<String, Integer> counts = new HashMap<>();
        try (Connection connection = java.sql.DriverManager.getConnection(settings.url(), "", "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT message_id FROM tracking_log")) {
            while (rows.next()) {
                counts.merge(rows.getString(1), 1, Integer::sum);
            }
        }
        return counts;
    }
}
