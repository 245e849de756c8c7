package com.profilegrid.client.internal;

import com.profilegrid.client.ProfileGridException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Sends tracking calls to a node's Segment-compatible HTTP API: the same validation, de-duplication and
 * durability as any tracking client. Retries 429 and 5xx a few times with the same message id.
 */
final class TrackingHttp {

    private static final int ATTEMPTS = 3;

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TrackingHttp(URI base, String writeKey) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one call, under {@code messageId} (a random one when null), retrying under the same id. */
    void send(String type, Map<String, ?> fields, String messageId) {
        Map<String, Object> message = new HashMap<>(fields);
        message.put("messageId", messageId != null ? messageId : UUID.randomUUID().toString());
        message.put("timestamp", Instant.now().toString());
        message.put("context", Map.of("library", Map.of("name", "profilegrid-java", "version", "0.1.0")));
        String body = JsonText.write(message);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/" + type)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                if ((status != 429 && status < 500) || attempt >= ATTEMPTS) {
                    throw new ProfileGridException("tracking " + type + " refused with " + status + ": " + response.body());
                }
                Thread.sleep(500L * attempt);
            } catch (IOException e) {
                if (attempt >= ATTEMPTS) {
                    throw new ProfileGridException("cannot reach ProfileGrid ingest at " + base, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProfileGridException("interrupted while tracking", e);
            }
        }
    }
}
