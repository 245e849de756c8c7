package com.profilegrid.node.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tracking node and two profiles members, each a JVM of its own started with {@code bin/profilegrid node --role},
 * on PostgreSQL. A steady load goes to the tracking node alone while the profile members are, in turn, stalled
 * ({@code SIGSTOP}) together, killed with {@code kill -9} together, and stopped gracefully together, and each time
 * started again. Throughout, the tracking node answers every request 2xx within the tracking bound; afterwards every
 * acknowledged event is in the log, and every visitor's profile counts exactly the events the log holds for it.
 */
class TrackingIsolationIT {

    private static final int VISITORS = 40;
    private static final int BATCH = 10;
    private static final double EVENTS_PER_SECOND = 400;
    /** What a tracking node promises whatever the log does: an answer (200 logged, 202 spooled) within this. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    private static final Duration FAULT_LASTS = Duration.ofSeconds(15);
    private static final String ADMIN_TOKEN = "isolation-admin-token";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void when_every_profile_member_stalls_dies_or_stops_then_the_tracking_node_keeps_acknowledging() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        ProjectStore.Created project = TestDatabases.createProject(db, "isolation");
        Cluster cluster = new Cluster(db);
        try (cluster) {
            cluster.startProfiles();
            cluster.startTracking();
            Load load = new Load(cluster.trackingUrl(), project.writeKey());
            try (load) {
                load.phase("steady", () -> Thread.sleep(FAULT_LASTS.toMillis()));
                load.phase("profile members stalled (SIGSTOP)", () -> {
                    cluster.signalProfiles("STOP");
                    try {
                        Thread.sleep(FAULT_LASTS.toMillis());
                    } finally {
                        cluster.signalProfiles("CONT");
                    }
                });
                load.phase("profile members killed (kill -9), then restarted", () -> {
                    cluster.killProfiles();
                    Thread.sleep(FAULT_LASTS.toMillis());
                    cluster.startProfiles();
                });
                load.phase("profile members stopped (SIGTERM), then restarted", () -> {
                    cluster.stopProfiles();
                    Thread.sleep(FAULT_LASTS.toMillis());
                    cluster.startProfiles();
                });
            }
            load.report().forEach((phase, figures) -> System.out.printf("tracking node, %s: %s%n", phase, figures));

            assertThat(load.failures).as("requests the tracking node did not answer 2xx within %s", ANSWER_WITHIN)
                    .isEmpty();
            assertThat(load.acked).hasSizeGreaterThan((int) (EVENTS_PER_SECOND * FAULT_LASTS.toSeconds()));
            Map<String, Long> logged = loggedPerVisitor(db, project, load.acked);
            cluster.awaitCaughtUp();
            String reader = cluster.profilesUrl();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                Map<String, Long> counted = new HashMap<>();
                for (String visitor : logged.keySet()) {
                    counted.put(visitor, viewed(reader, project, visitor));
                }
                assertThat(counted).as("events each profile counts, against the log").isEqualTo(logged);
            });
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** Events in the log per visitor, once every acknowledged one is there (spooled ones arrive as the spool replays). */
    private static Map<String, Long> loggedPerVisitor(Database.Settings db, ProjectStore.Created project,
                                                      Set<String> acked) {
        Map<String, Long> perVisitor = new HashMap<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Set<String> ids = ConcurrentHashMap.newKeySet();
            perVisitor.clear();
            try (Connection connection = TestDatabases.connect(db);
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT message_id, user_id FROM tracking_log WHERE project = ?")) {
                select.setString(1, project.projectId());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                        perVisitor.merge(rows.getString(2), 1L, Long::sum);
                    }
                }
            }
            assertThat(ids).as("acknowledged events in the log").containsAll(acked);
        });
        return perVisitor;
    }

    private long viewed(String base, ProjectStore.Created project, String visitor) throws Exception {
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/profiles/" + visitor))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + project.readKey()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return read.statusCode() != 200 ? -read.statusCode()
                : NodeFixture.json(read.body()).path("eventCounts").path("Viewed").asLong();
    }

    /** What a phase does while the load runs. */
    interface Fault {
        void run() throws Exception;
    }

    /** The processes: two profiles members and a tracking node. */
    private final class Cluster implements AutoCloseable {
        private final Database.Settings db;
        private final String name = TestClusters.uniqueClusterName();
        private final int[] hazelcast = {NodeFixture.freePort(), NodeFixture.freePort()};
        private final int[] httpPorts = {NodeFixture.freePort(), NodeFixture.freePort()};
        private final int trackingPort = NodeFixture.freePort();
        private final NodeProcess[] profiles = new NodeProcess[2];
        private NodeProcess tracking;
        private int starts;

        Cluster(Database.Settings db) {
            this.db = db;
        }

        void startProfiles() throws IOException {
            starts++;
            String members = "127.0.0.1:" + hazelcast[0] + ",127.0.0.1:" + hazelcast[1];
            for (int i = 0; i < 2; i++) {
                profiles[i] = NodeProcess.start(dir.resolve("profiles-" + i + "-" + starts + ".log"), httpPorts[i],
                        Map.of("JAVA_OPTS", "-Xmx512m"), common("profiles", "data-" + i, "--hazelcast-port",
                                Integer.toString(hazelcast[i]), "--members", members));
                profiles[i].awaitReady();
            }
        }

        void startTracking() throws IOException {
            tracking = NodeProcess.start(dir.resolve("tracking.log"), trackingPort, Map.of("JAVA_OPTS", "-Xmx256m"),
                    common("tracking", "data-tracking"));
            tracking.awaitReady();
        }

        private String[] common(String role, String data, String... more) {
            List<String> flags = new ArrayList<>(List.of("--role", role, "--cluster-name", name, "--data-dir",
                    dir.resolve(data).toString(), "--db-url", db.url(), "--db-user", db.user(), "--db-schema",
                    db.schema(), "--admin-token", ADMIN_TOKEN, "--project-rate", "1000000", "--project-burst",
                    "1000000"));
            flags.addAll(List.of(more));
            return flags.toArray(String[]::new);
        }

        void signalProfiles(String signal) throws Exception {
            for (NodeProcess member : profiles) {
                Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(member.pid())).start();
                assertThat(kill.waitFor()).as("kill -%s", signal).isZero();
            }
        }

        void killProfiles() throws InterruptedException {
            for (NodeProcess member : profiles) {
                member.kill();
            }
        }

        void stopProfiles() throws InterruptedException {
            for (int i = profiles.length - 1; i >= 0; i--) {
                assertThat(profiles[i].terminate(Duration.ofSeconds(90))).as("profiles member %s stopped", i).isTrue();
            }
        }

        String trackingUrl() {
            return "http://127.0.0.1:" + trackingPort;
        }

        String profilesUrl() {
            return "http://127.0.0.1:" + httpPorts[0];
        }

        /** Until the profile job has applied the whole log (every shard, the tracking node's among them). */
        void awaitCaughtUp() {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(profilesUrl() + "/admin/status"))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode status = NodeFixture.json(answer.body());
                boolean caughtUp = status.path("lag").size() > 0;
                for (JsonNode lag : status.path("lag")) {
                    caughtUp &= lag.path("events").asLong() == 0;
                }
                return caughtUp;
            });
        }

        @Override
        public void close() throws Exception {
            if (tracking != null) {
                tracking.terminate(Duration.ofSeconds(30));
                tracking.close();
            }
            for (NodeProcess member : profiles) {
                if (member != null) {
                    member.terminate(Duration.ofSeconds(60));
                    member.close();
                }
            }
        }
    }

    /**
     * Two senders posting Segment batches to the tracking node at a steady rate, each request sent once: every answer's
     * status and time is recorded against the phase under way.
     */
    private final class Load implements AutoCloseable {
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final Map<String, List<Long>> micros = new ConcurrentHashMap<>();
        private final Map<String, Map<Integer, AtomicLong>> statuses = new ConcurrentHashMap<>();
        private final AtomicReference<String> phase = new AtomicReference<>("starting");
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong batches = new AtomicLong();
        private final List<Thread> senders = new ArrayList<>();
        private final String url;
        private final String authorization;

        Load(String url, String writeKey) {
            this.url = url;
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":")
                    .getBytes(StandardCharsets.UTF_8));
            int threads = 2;
            long nanosPerBatch = (long) (1e9 * BATCH * threads / EVENTS_PER_SECOND);
            for (int t = 0; t < threads; t++) {
                Thread sender = new Thread(() -> send(nanosPerBatch), "isolation-load-" + t);
                senders.add(sender);
                sender.start();
            }
        }

        void phase(String name, Fault fault) throws Exception {
            phase.set(name);
            fault.run();
        }

        private void send(long nanosPerBatch) {
            long next = System.nanoTime();
            while (running.get()) {
                long n = batches.incrementAndGet();
                StringBuilder body = new StringBuilder("{\"batch\":[");
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    String id = "iso-" + n + "-" + i;
                    ids.add(id);
                    body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"v")
                            .append(Math.floorMod(n * 7 + i, VISITORS)).append("\",\"event\":\"Viewed\",\"messageId\":\"")
                            .append(id).append("\"}");
                }
                body.append("]}");
                String during = phase.get();
                long started = System.nanoTime();
                try {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/batch"))
                            .timeout(ANSWER_WITHIN).header("Authorization", authorization)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                            HttpResponse.BodyHandlers.ofString());
                    micros.computeIfAbsent(during, p -> new CopyOnWriteArrayList<>())
                            .add((System.nanoTime() - started) / 1_000);
                    statuses.computeIfAbsent(during, p -> new ConcurrentHashMap<>())
                            .computeIfAbsent(answer.statusCode(), s -> new AtomicLong()).incrementAndGet();
                    if (answer.statusCode() / 100 == 2) {
                        acked.addAll(ids);
                    } else {
                        failures.add(during + ": " + answer.statusCode() + " " + answer.body());
                    }
                } catch (HttpTimeoutException e) {
                    failures.add(during + ": no answer within " + ANSWER_WITHIN);
                } catch (IOException e) {
                    failures.add(during + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                next += nanosPerBatch;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }

        /** Per phase: requests by status, and the answer time's median, 99th percentile and longest. */
        Map<String, String> report() {
            Map<String, String> report = new LinkedHashMap<>();
            micros.forEach((name, times) -> {
                List<Long> sorted = new ArrayList<>(times);
                sorted.sort(null);
                report.put(name, String.format("%d requests %s, p50 %.1f ms, p99 %.1f ms, max %.1f ms", sorted.size(),
                        statuses.get(name), at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1000.0));
            });
            return report;
        }

        private double at(List<Long> sorted, double quantile) {
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1000.0;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread sender : senders) {
                sender.join(10_000);
            }
        }
    }
}
