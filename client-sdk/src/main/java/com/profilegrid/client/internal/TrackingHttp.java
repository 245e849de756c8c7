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
import java.util.Optional;
import java.util.UUID;

/**
 * Sends tracking calls to a node's Segment-compatible HTTP API: the same validation, de-duplication and
 * durability as any tracking client. Retries 429, 5xx and failed connections with the same message id for up to
 * {@link #PATIENCE}, waiting what the node's {@code Retry-After} asks (a node shedding load answers 503 with
 * {@code Retry-After: 5} for the ten seconds at least that an overload lasts), else backing off exponentially with
 * jitter.
 */
final class TrackingHttp {

    /** How long one call keeps trying before it throws. */
    static final Duration PATIENCE = Duration.ofSeconds(30);
    /** The longest wait between two attempts, whatever {@code Retry-After} asks. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);

    private final URI base;
    private final String authorization;
    private final Duration patience;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TrackingHttp(URI base, String writeKey) {
        this(base, writeKey, PATIENCE);
    }

    TrackingHttp(URI base, String writeKey, Duration patience) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        this.patience = patience;
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
        long deadline = System.nanoTime() + patience.toNanos();
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            ProfileGridException failure;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                failure = new ProfileGridException("tracking " + type + " refused with " + status + ": " + response.body());
                if (status != 429 && status < 500) {
                    throw failure;
                }
                wait = retryAfter(response).orElse(backoff(attempt));
            } catch (IOException e) {
                failure = new ProfileGridException("cannot reach ProfileGrid ingest at " + base, e);
                wait = backoff(attempt);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            if (System.nanoTime() + wait.toNanos() - deadline > 0) {
                throw failure;
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
    }

    /** The interrupt kept for the caller, and the exception that ends the call. */
    private static ProfileGridException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new ProfileGridException("interrupted while tracking", e);
    }

    /** The node's {@code Retry-After} in seconds (its form; an HTTP date is not used), at most {@link #MAX_WAIT}. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.trim());
                return seconds < 0 ? Optional.empty()
                        : Optional.of(Duration.ofSeconds(Math.min(seconds, MAX_WAIT.toSeconds())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** 250 ms, doubling per attempt up to {@link #MAX_WAIT}, each between three quarters and all of it. */
    private static Duration backoff(int attempt) {
        long millis = Math.min(MAX_WAIT.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 10));
        return Duration.ofMillis(millis - java.util.concurrent.ThreadLocalRandom.current().nextLong(millis / 4 + 1));
    }
}
