package com.profilegrid.node.ingest;

import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A burst well above capacity is answered only with 2xx, 429 or 503 (with Retry-After), each within a bound. */
class OverloadTest {

    private static final int REQUESTS = 600;
    private static final int CONCURRENCY = 100;
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void when_a_burst_exceeds_capacity_then_every_request_is_answered_in_time_with_2xx_429_or_503() throws Exception {
        IngestSettings tight = IngestSettings.DEFAULTS.withMaxInFlight(4).withProjectRate(500, 1_000);
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(), tight)) {
            ProjectStore.Created project = node.createProject("acme");
            HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(CONCURRENCY))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicInteger slow = new AtomicInteger();
            AtomicInteger missingRetryAfter = new AtomicInteger();
            List<CompletableFuture<Void>> requests = new ArrayList<>();
            java.util.concurrent.Semaphore concurrency = new java.util.concurrent.Semaphore(CONCURRENCY);
            for (int i = 0; i < REQUESTS; i++) {
                concurrency.acquire();
                long started = System.nanoTime();
                HttpRequest request = node.request("/v1/batch", project.writeKey()).timeout(BOUND.multipliedBy(2))
                        .POST(HttpRequest.BodyPublishers.ofString(TrackingApiContract.batchOfTracks("burst-" + i + "-", 10)))
                        .build();
                requests.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                    statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (Duration.ofNanos(System.nanoTime() - started).compareTo(BOUND) > 0) {
                        slow.incrementAndGet();
                    }
                    if ((response.statusCode() == 429 || response.statusCode() == 503)
                            && response.headers().firstValue("Retry-After").isEmpty()) {
                        missingRetryAfter.incrementAndGet();
                    }
                }).whenComplete((ignored, error) -> concurrency.release()));
            }
            CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);

            Map<Integer, Integer> seen = statuses.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
            assertThat(seen.keySet()).as("statuses %s", seen).isSubsetOf(200, 202, 429, 503);
            assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(REQUESTS);
            assertThat(seen.getOrDefault(429, 0) + seen.getOrDefault(503, 0)).as("refused in %s", seen).isPositive();
            assertThat(seen.getOrDefault(200, 0)).as("accepted in %s", seen).isPositive();
            assertThat(slow.get()).as("requests slower than %s", BOUND).isZero();
            assertThat(missingRetryAfter.get()).isZero();
            long accepted = node.logRecords().stream().filter(r -> r.event().messageId().startsWith("burst-")).count();
            assertThat(accepted).isEqualTo(10L * (seen.getOrDefault(200, 0) + seen.getOrDefault(202, 0)));
        }
    }

}
