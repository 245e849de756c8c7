package com.profilegrid.node.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends Segment batches of tracks to a node and remembers which message ids it acknowledged (2xx): what a kill test
 * owes. A request the node died in the middle of was never acknowledged, so nothing is owed for it.
 */
final class AckedSender {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;
    private final String writeKey;
    private final int batch;
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();

    AckedSender(int port, String writeKey, int batch) {
        this.port = port;
        this.writeKey = writeKey;
        this.batch = batch;
    }

    /** Sends one batch of ids {@code prefix0..prefix<batch-1>}; the status, or -1 when no answer came. */
    int send(String prefix) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(TrackingApiContract.batchOfTracks(prefix, batch))).build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
            if (status / 100 == 2) {
                for (int i = 0; i < batch; i++) {
                    acked.add(prefix + i);
                }
            }
            answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            return status;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Sends batches {@code prefix<n>-} on a thread of its own, calling {@code afterEach} after each, until closed. */
    AutoCloseable inBackground(String prefix, Runnable afterEach) {
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            for (int r = 0; sending.get(); r++) {
                send(prefix + r + "-");
                afterEach.run();
            }
        });
        load.start();
        return () -> {
            sending.set(false);
            load.join(30_000);
        };
    }

    int answered(int status) {
        AtomicInteger count = answers.get(status);
        return count == null ? 0 : count.get();
    }

    /** How many times each message id is in the tracking log of the database at {@code url}. */
    static Map<String, Integer> countsInLog(String url) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(url, "", "");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT message_id FROM tracking_log")) {
            while (rows.next()) {
                counts.merge(rows.getString(1), 1, Integer::sum);
            }
        }
        return counts;
    }
}
