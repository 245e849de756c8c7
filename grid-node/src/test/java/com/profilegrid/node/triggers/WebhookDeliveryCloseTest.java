package com.profilegrid.node.triggers;

import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.rules.Trigger;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's delivery that stops (the node shuts down) leaves nothing it claimed waiting for its lease to run out: an
 * attempt in flight ends as a failed attempt, tried again after its backoff, and a claimed firing still waiting for
 * its turn is given back at once.
 */
class WebhookDeliveryCloseTest {

    @TempDir
    Path dir;

    @Test
    void when_delivery_stops_then_the_attempt_in_flight_and_the_waiting_firing_are_given_back_at_once() throws Exception {
        Database.Settings settings = TestDatabases.H2.fresh(dir);
        CountDownLatch reached = new CountDownLatch(1);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        receiver.createContext("/hook", exchange -> {
            reached.countDown();
            try {
                Thread.sleep(30_000); // never answers in time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        Trigger trigger = new Trigger("acme", "welcome", new Trigger.LabelEntered("trial"),
                new Trigger.Webhook(url, "a-secret-of-16-chars", 20_000), false);
        // one attempt at a time to the receiver, so the second firing waits for the first
        TriggerSettings one = new TriggerSettings(Duration.ofHours(1), Duration.ofSeconds(5), Duration.ofMinutes(1), 1,
                Duration.ofMillis(100), Duration.ofSeconds(15), Duration.ofMinutes(2));
        try (Database database = Database.open(settings)) {
            Firings firings = new Firings(database.dataSource(), database.dialect());
            WebhookDelivery delivery = new WebhookDelivery(firings, project -> Map.of("welcome", trigger),
                    Clock.systemUTC(), one, (project, firing) -> { },
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            Instant recorded = Instant.now();
            firings.record(List.of(), List.of(firing("f1", url), firing("f2", url)), List.of(), recorded);
            delivery.wake();
            assertThat(reached.await(30, TimeUnit.SECONDS)).as("the first attempt reached the receiver").isTrue();
            Thread.sleep(500); // the second is claimed and waits for the destination's one attempt

            long stopping = System.currentTimeMillis();
            delivery.close();

            Map<String, Firings.Row> rows = firings.list("acme", null, null, 10).stream()
                    .collect(Collectors.toMap(Firings.Row::firingId, Function.identity()));
            long leaseEnd = stopping + one.lease().toMillis();
            assertThat(rows.values()).as("one attempted, as its outcome says; one given back unattempted")
                    .extracting(Firings.Row::attempts).containsExactlyInAnyOrder(0, 1);
            Firings.Row inFlight = rows.values().stream().filter(row -> row.attempts() == 1).findFirst().orElseThrow();
            Firings.Row waited = rows.values().stream().filter(row -> row.attempts() == 0).findFirst().orElseThrow();
            assertThat(inFlight.state()).isEqualTo("pending");
            assertThat(inFlight.lastError()).isNotNull();
            assertThat(inFlight.nextAttemptMs()).as("after its backoff, not at its lease's end").isLessThan(leaseEnd - 30_000);
            assertThat(waited.state()).isEqualTo("pending");
            assertThat(waited.nextAttemptMs()).as("given back").isLessThanOrEqualTo(System.currentTimeMillis());
        } finally {
            receiver.stop(0);
            TestDatabases.drop(settings);
        }
    }

    private static Firings.NewFiring firing(String id, URI url) {
        return new Firings.NewFiring(id, "acme", "welcome", "user:" + id, "labelEntered", "trial", "event:m-" + id,
                WebhookDelivery.destination(url), "{\"firingId\":\"" + id + "\"}");
    }
}
