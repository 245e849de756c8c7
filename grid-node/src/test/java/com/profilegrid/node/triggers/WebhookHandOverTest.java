package com.profilegrid.node.triggers;

import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.rules.RuleBook;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Firings a node records go to its own delivery from memory (PostgreSQL): attempted without any claim of the table,
 * each once, a replay of the same causes handing nothing over again; a firing recorded elsewhere is claimed, and one
 * leased to a member that left is given back and claimed at once.
 */
class WebhookHandOverTest {

    /** Claims only when woken: a poll this long never comes within the test. */
    private static final TriggerSettings HOURLY_POLL = new TriggerSettings(Duration.ofHours(1), Duration.ofSeconds(1),
            Duration.ofMinutes(1), 8, Duration.ofHours(1), Duration.ofSeconds(15), Duration.ofMinutes(2));

    @TempDir
    Path dir;

    @Test
    void when_a_node_records_firings_then_its_delivery_attempts_them_unclaimed_once_each_and_a_replay_sends_none()
            throws Exception {
        Database.Settings settings = TestDatabases.POSTGRESQL.fresh(dir);
        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        Map<String, String> bodies = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        receiver.createContext("/hook", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            bodies.put(key, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            received.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        URI url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        Clock clock = Clock.systemUTC();
        RuleBook rules = new RuleBook(Duration.ofDays(30), clock);
        rules.accept(new TriggerDefinition("acme", "welcome", "{\"on\": {\"labelEntered\": \"trial\"}, \"webhook\": "
                + "{\"url\": \"" + url + "\", \"secret\": \"sixteen-characters\"}}", clock.instant(), clock.instant()));
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (Database database = Database.open(settings)) {
            Firings firings = new Firings(database.dataSource(), database.dialect());
            try (WebhookDelivery delivery = new WebhookDelivery(firings, rules::triggersOf, clock, HOURLY_POLL,
                    (project, body) -> { }, metrics)) {
                assertThat(delivery.lease()).as("no lease before its member has started").isNull();
                delivery.ownedBy(java.util.UUID.randomUUID());
                FiringRecorder recorder = new FiringRecorder(firings, rules, project -> null, clock, delivery, metrics);
                List<ChangeLog.ProfileChanges> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(new ChangeLog.ProfileChanges(new ProfileKey("acme", "user:" + i), null,
                            List.of(new Change(Change.Kind.ENTERED, "trial", "event:m-" + i)), -1));
                }

                recorder.record(0, batch);
                recorder.record(0, batch); // a replay meets the same causes: recorded before, nothing handed over

                await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 20);
                await().atMost(Duration.ofSeconds(30)).until(() -> firings.countByState().get("delivered") == 20L);
                Thread.sleep(1_000); // time for a second attempt of any, were one made
                assertThat(received.values()).as("each firing attempted once").allSatisfy(count ->
                        assertThat(count.get()).isEqualTo(1));
                bodies.forEach((key, body) -> assertThat(body).contains("\"firingId\":\"" + key + "\""));
                assertThat(taken(metrics, "lease")).as("handed over as recorded").isEqualTo(20);
                assertThat(taken(metrics, "claim")).as("none read back by a claim").isZero();

                // a firing another node recorded (no lease of this one) is claimed once this delivery is woken
                firings.record(List.of(), List.of(new Firings.NewFiring("elsewhere", "acme", "welcome", "user:x",
                        "labelEntered", "trial", "event:m-x", WebhookDelivery.destination(url),
                        "{\"firingId\":\"elsewhere\"}")), List.of(), clock.instant());
                delivery.wake();
                await().atMost(Duration.ofSeconds(30)).until(() -> received.containsKey("elsewhere"));
                assertThat(taken(metrics, "claim")).isEqualTo(1);

                // a member that recorded a firing with its own lease and died before attempting it: once it has left,
                // the firing is given back and claimed here, long before its two-minute lease would have ended
                java.util.UUID died = java.util.UUID.randomUUID();
                Firings.Recorded stranded = firings.record(List.of(), List.of(new Firings.NewFiring("stranded", "acme",
                        "welcome", "user:y", "labelEntered", "trial", "event:m-y", WebhookDelivery.destination(url),
                        "{\"firingId\":\"stranded\"}")), List.of(), clock.instant(),
                        new Firings.Lease(died.toString(), Duration.ofMinutes(2), destination -> 100));
                assertThat(stranded.leased()).hasSize(1);
                delivery.wake();
                Thread.sleep(500);
                assertThat(received).as("leased to the other member: no claim takes it").doesNotContainKey("stranded");
                delivery.memberLeft(died);
                await().atMost(Duration.ofSeconds(30)).until(() -> received.containsKey("stranded"));
                assertThat(taken(metrics, "claim")).isEqualTo(2);
            }
        } finally {
            receiver.stop(0);
            TestDatabases.drop(settings);
        }
    }

    private static double taken(SimpleMeterRegistry metrics, String by) {
        return metrics.get("profilegrid.firings.taken").tag("by", by).counter().count();
    }
}
