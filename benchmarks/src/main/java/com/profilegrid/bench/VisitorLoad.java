package com.profilegrid.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Visitors as the memory benchmark sends them: each an identify and four tracks, in Segment batches of 20 visitors;
 * every second visitor browses anonymously first and the identify merges that anonymous id into the user.
 */
final class VisitorLoad {

    private static final int VISITORS_PER_BATCH = 20;
    private static final int CONNECTIONS = 8;

    private final URI uri;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    VisitorLoad(String baseUrl, String writeKey) {
        this.uri = URI.create(baseUrl + "/v1/batch");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends visitors {@code from} (inclusive) to {@code to}; false when the node stopped answering. */
    boolean send(int from, int to, ChildNode node) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<Boolean>> sent = new ArrayList<>();
            for (int first = from; first < to; first += VISITORS_PER_BATCH) {
                int batchFirst = first;
                int batchEnd = Math.min(to, first + VISITORS_PER_BATCH);
                sent.add(senders.submit(() -> post(batch(batchFirst, batchEnd), node)));
            }
            for (Future<Boolean> one : sent) {
                if (!one.get()) {
                    return false;
                }
            }
            return true;
        } finally {
            senders.shutdownNow();
        }
    }

    /** One track by a known visitor, named {@code Probe <n>}, acknowledged before it returns. */
    void probe(int visitor, int n, ChildNode node) throws InterruptedException {
        post("{\"batch\":[{\"type\":\"track\",\"messageId\":\"probe-" + n + "\",\"userId\":\"user-" + visitor
                + "\",\"event\":\"Probe " + n + "\"}]}", node);
    }

    private boolean post(String body, ChildNode node) throws InterruptedException {
        for (int attempt = 0; node.alive(); attempt++) {
            try {
                int status = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .header("Authorization", authorization).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status / 100 == 2) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // the node is busy or gone: the loop asks whether it is alive
            }
            Thread.sleep(Math.min(5_000, 100L << Math.min(attempt, 6)));
        }
        return false;
    }

    private static String batch(int from, int to) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int v = from; v < to; v++) {
            String anon = v % 2 == 0 ? "\"anonymousId\":\"anon-" + v + "\"," : "";
            String id = v % 2 == 0 ? "\"anonymousId\":\"anon-" + v + "\"" : "\"userId\":\"user-" + v + "\"";
            body.append(v == from ? "" : ",").append("{\"type\":\"identify\",\"messageId\":\"i-").append(v).append("\",")
                    .append(anon).append("\"userId\":\"user-").append(v).append("\",\"traits\":{\"email\":\"user-")
                    .append(v).append("@example.com\",\"plan\":\"").append(v % 3 == 0 ? "pro" : "free").append("\"}}");
            for (int t = 0; t < 4; t++) {
                body.append(",{\"type\":\"track\",\"messageId\":\"t-").append(v).append('-').append(t).append("\",")
                        .append(id).append(",\"event\":\"Product Viewed\",\"properties\":{\"sku\":\"G-").append(t)
                        .append("\",\"price\":18.99}}");
            }
        }
        return body.append("]}").toString();
    }
}
