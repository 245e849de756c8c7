package com.profilegrid.node.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.triggers.Receiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The post-mortem, replayed with real processes: three members ({@code bin/profilegrid node}, each its own JVM) on
 * 127.0.0.1 and PostgreSQL, a load driver posting Segment batches, a webhook receiver for a trigger on every
 * purchase, and a {@link Checker} of the invariants at the end of each scenario. Each scenario writes a report to
 * {@code grid-node/target/fault-reports/<scenario>.json}: events sent and acknowledged, answers by status, the
 * longest time to an answer, time until the cluster was safe again, and each invariant's result.
 *
 * <p>Not in the default build: {@code mvn -B verify -Pfault -pl grid-node -am} (about an hour on 2 cores). Every
 * wait is bounded.
 */
class FaultSuiteIT {

    /** Capacity is measured once per run: the load driver flat out against three fresh members. */
    private static double capacity = -1;

    @TempDir
    Path dir;
    private Database.Settings db;
    private FaultCluster cluster;
    private Receiver receiver;
    private String project;
    private String writeKey;
    private final Map<String, Object> report = new LinkedHashMap<>();

    @BeforeEach
    void start(TestInfo test) throws Exception {
        db = TestDatabases.POSTGRESQL.fresh(dir);
        receiver = new Receiver();
        cluster = new FaultCluster(dir, db, 3).startAll();
        JsonNode created = cluster.admin(0, "POST", "/admin/projects", "{\"name\": \"fault\"}");
        project = created.path("projectId").asText();
        writeKey = created.path("writeKey").asText();
        cluster.admin(0, "POST", "/admin/projects/" + project + "/triggers", "{\"name\": \"receipt\", \"on\": "
                + "{\"event\": \"Purchase\"}, \"webhook\": {\"url\": \"" + receiver.url("/purchase")
                + "\", \"secret\": \"sixteen-characters\"}}");
        report.put("scenario", test.getTestMethod().orElseThrow().getName());
        if (capacity < 0) {
            try (LoadDriver flatOut = new LoadDriver(cluster.urls(), writeKey, 5_000, 0, 8, "calibration")) {
                flatOut.ackedPerSecond(Duration.ofSeconds(5)); // warm up
                capacity = flatOut.ackedPerSecond(Duration.ofSeconds(15));
            }
        }
        report.put("capacityEventsPerSecond", Math.round(capacity));
        // each scenario starts from a pipeline that has applied the log (the calibration leaves a backlog)
        new Checker(cluster, db, project).awaitCaughtUp();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            Path reports = Files.createDirectories(Path.of("target/fault-reports"));
            String text = NodeFixture.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
            Files.writeString(reports.resolve(report.get("scenario") + ".json"), text);
            System.out.println("FAULT REPORT " + text);
        } finally {
            cluster.close();
            receiver.close();
            TestDatabases.drop(db);
            // the members' logs, beside the report
            Path logs = Files.createDirectories(Path.of("target/fault-reports", report.get("scenario") + "-logs"));
            try (var files = Files.list(dir)) {
                for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                    Files.copy(log, logs.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** kill -9 of the oldest member (the Jet coordinator) at half capacity, five times in a row, each started again. */
    @Test
    void kill_the_oldest_member_five_times_at_half_capacity() throws Exception {
        List<Long> toSafe = new ArrayList<>();
        try (LoadDriver load = new LoadDriver(cluster.urls(), writeKey, 2_000, capacity / 2, 4, "kill")) {
            for (int round = 0; round < 5; round++) {
                Thread.sleep(10_000);
                int oldest = cluster.oldest();
                cluster.kill(oldest);
                toSafe.add(cluster.awaitSafe(2, Duration.ofMinutes(3)).toMillis());
                cluster.start(oldest);
                cluster.awaitSafe(3, Duration.ofMinutes(3));
            }
            Thread.sleep(5_000);
            load.close();
            finish(load, Map.of("millisUntilSafeAfterEachKill", toSafe));
        }
    }

    /**
     * The post-mortem: load at twice capacity, then kill -9 of one member. No second member fails, every request is
     * answered (2xx, 429 or 503) within 2 s, and the invariants hold once the load stops.
     */
    @Test
    void kill_a_member_under_twice_capacity() throws Exception {
        try (LoadDriver load = new LoadDriver(cluster.urls(), writeKey, 2_000, capacity * 2, 16, "peak")) {
            Thread.sleep(20_000);
            cluster.kill(2);
            long safeAfter = cluster.awaitSafe(2, Duration.ofMinutes(5)).toMillis();
            Thread.sleep(20_000);
            load.close();
            finish(load, Map.of("millisUntilSafeAfterKill", safeAfter));
            assertThat(load.unanswered.get()).as("requests not answered within 2 s").isZero();
            assertThat(load.answers.keySet()).as("statuses").allMatch(s -> s / 100 == 2 || s == 429 || s == 503);
        }
    }

    /**
     * PostgreSQL stopped for two minutes under load, then started: the members take events on their spools meanwhile
     * (202), lose none of them, and the spools, the write-behind and the pipeline catch up once it is back.
     */
    @Test
    void stop_postgresql_for_two_minutes_under_load() throws Exception {
        try (LoadDriver load = new LoadDriver(cluster.urls(), writeKey, 2_000, capacity / 2, 4, "outage")) {
            Thread.sleep(15_000);
            int ackedBefore = load.acked.size();
            try {
                postgresql("stop", "-m", "fast");
                Thread.sleep(Long.getLong("fault.outageSeconds", 120) * 1000);
                report.put("eventsAcknowledgedDuringOutage", load.acked.size() - ackedBefore);
            } finally {
                postgresql("start");
            }
            long started = System.nanoTime();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
                for (JsonNode member : cluster.status(cluster.any()).path("members")) {
                    if (!member.path("answering").asBoolean() || member.path("spoolOldestAgeSeconds").asDouble() > 0) {
                        return false;
                    }
                }
                return true;
            });
            report.put("millisUntilSpoolsReplayedUnderLoad", (System.nanoTime() - started) / 1_000_000);
            Thread.sleep(10_000);
            load.close();
            long stopped = System.nanoTime();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
                JsonNode status = cluster.status(cluster.any());
                boolean caughtUp = status.path("writeBehind").asLong() == 0 && status.path("lag").size() > 0;
                for (JsonNode lag : status.path("lag")) {
                    caughtUp &= lag.path("events").asLong() == 0;
                }
                return caughtUp;
            });
            report.put("millisUntilPipelineAndWriteBehindCaughtUpAfterLoad", (System.nanoTime() - stopped) / 1_000_000);
            finish(load, Map.of("outageSeconds", Long.getLong("fault.outageSeconds", 120)));
            assertThat((Integer) report.get("eventsAcknowledgedDuringOutage")).as("events taken during the outage")
                    .isGreaterThan(0);
        }
    }

    /** Runs {@code pg_ctlcluster <version> main <action>} on this machine's one PostgreSQL cluster (needs root). */
    private static void postgresql(String action, String... options) throws Exception {
        String version;
        try (var versions = Files.list(Path.of("/etc/postgresql"))) {
            version = versions.findFirst().orElseThrow().getFileName().toString();
        }
        List<String> command = new ArrayList<>(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                action));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within 90 s");
        }
        String output = new String(process.getInputStream().readAllBytes());
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " failed (" + process.exitValue() + "): " + output);
        }
    }

    /** Ten graceful leave and join cycles under load: the heap after GC of the members that stay does not grow. */
    @Test
    void leave_and_join_under_load_without_heap_growth() throws Exception {
        int cycles = Integer.getInteger("fault.cycles", 10);
        List<Long> heap = new ArrayList<>();
        try (LoadDriver load = new LoadDriver(cluster.urls(), writeKey, 2_000, capacity / 2, 4, "cycle")) {
            for (int cycle = 0; cycle < cycles; cycle++) {
                assertThat(cluster.stop(2, Duration.ofMinutes(3))).as("member left within 3 minutes").isTrue();
                cluster.awaitSafe(2, Duration.ofMinutes(3));
                cluster.start(2);
                cluster.awaitSafe(3, Duration.ofMinutes(3));
                heap.add(heapAfterFullGc(0) + heapAfterFullGc(1));
            }
            load.close();
            finish(load, Map.of("heapAfterGcBytesPerCycle", heap));
        }
        long first = heap.subList(0, Math.min(3, heap.size())).stream().mapToLong(Long::longValue).max().orElse(0);
        long last = heap.subList(Math.max(0, heap.size() - 3), heap.size()).stream().mapToLong(Long::longValue).max()
                .orElse(0);
        assertThat(last).as("heap after GC, last cycles against first (bytes, %s)", heap)
                .isLessThanOrEqualTo(first + first / 4 + 32L * 1024 * 1024);
    }

    /**
     * The whole cluster stopped and started while the load goes on: the load driver's requests find no member for a
     * while (not acknowledged, so nothing is owed for them); the members come back from their stored positions, not
     * from the log's beginning.
     */
    @Test
    void stop_and_start_the_whole_cluster_under_load() throws Exception {
        try (LoadDriver load = new LoadDriver(cluster.urls(), writeKey, 2_000, capacity / 2, 4, "restart")) {
            // what the stored positions cover, every 5 s of a minute under load: checkpoints go on under load
            List<String> coverage = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Thread.sleep(5_000);
                coverage.add(storedPositions().values().stream().mapToLong(Long::longValue).sum() + " stored, "
                        + (loggedEvents() - lagEvents()) + " applied, of " + loggedEvents() + " logged");
            }
            report.put("eventsStoredAppliedLoggedEvery5sUnderLoad", coverage);
            report.put("storedPositionsBeforeStop", storedPositions());
            long appliedBeforeStop = loggedEvents() - lagEvents();
            report.put("eventsAppliedBeforeStop", appliedBeforeStop);
            for (int i = cluster.size() - 1; i >= 0; i--) {
                assertThat(cluster.stop(i, Duration.ofMinutes(3))).as("member " + i + " stopped").isTrue();
            }
            Map<Long, Long> stored = storedPositions();
            report.put("storedPositionsAfterStop", stored);
            long loggedBeforeStart = loggedEvents();
            report.put("eventsInLogAtStop", loggedBeforeStart);
            report.put("eventsCoveredByStoredPositions", stored.values().stream().mapToLong(Long::longValue).sum());
            long started = System.nanoTime();
            cluster.startAll();
            long safe = cluster.awaitSafe(3, Duration.ofMinutes(5)).toMillis();
            report.put("millisUntilServingAfterFullRestart", (System.nanoTime() - started) / 1_000_000);
            Thread.sleep(15_000);
            load.close();
            finish(load, Map.of("millisUntilSafeAfterStart", safe));
        }
        String logs = Files.readString(dir.resolve("node-0-2.log")) + Files.readString(dir.resolve("node-1-2.log"))
                + Files.readString(dir.resolve("node-2-2.log"));
        assertThat(logs).as("the profile job went on from its stored positions")
                .contains("starts from its stored positions, not from the log's beginning");
        // positions count the events of their shard up to them (each shard's positions are dense); they can cover
        // only what the pipeline had applied, and checkpoints come every 10 s: 90% of what was applied before the stop
        assertThat((Long) report.get("eventsCoveredByStoredPositions")).as("events the stored positions cover, of %s "
                        + "applied before the stop", report.get("eventsAppliedBeforeStop"))
                .isGreaterThanOrEqualTo((Long) report.get("eventsAppliedBeforeStop") * 9 / 10);
    }

    /** The profile job's stored log positions (shard to position). */
    private Map<Long, Long> storedPositions() throws Exception {
        Map<Long, Long> positions = new java.util.TreeMap<>();
        try (java.sql.Connection connection = TestDatabases.connect(db);
             java.sql.PreparedStatement select = connection.prepareStatement(
                     "SELECT shard, seq FROM log_positions WHERE job = 'profilegrid-profiles'");
             java.sql.ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                positions.put(rows.getLong(1), rows.getLong(2));
            }
        }
        return positions;
    }

    /** Events in the log the live job has not applied yet, as the status report tells. */
    private long lagEvents() throws Exception {
        return cluster.status(cluster.any()).path("lag").path("profilegrid-profiles").path("events").asLong();
    }

    private long loggedEvents() throws Exception {
        try (java.sql.Connection connection = TestDatabases.connect(db);
             java.sql.PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM tracking_log");
             java.sql.ResultSet row = count.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Records the load's figures and the invariants, and fails on any invariant that does not hold. */
    private void finish(LoadDriver load, Map<String, Object> figures) throws Exception {
        report.put("eventsSent", load.sent.get());
        report.put("eventsAcknowledged", load.acked.size());
        report.put("answersByStatus", load.answersByStatus());
        report.put("requestsNotAnsweredWithin2s", load.unanswered.get());
        report.put("longestAnswerMillis", load.longestAnswerMillis.get());
        report.putAll(figures);
        Map<String, String> invariants = new Checker(cluster, db, project).all(load, receiver);
        report.put("invariants", invariants);
        assertThat(invariants).allSatisfy((name, result) -> assertThat(result).as(name).startsWith("ok"));
    }

    /** Member {@code i}'s heap after a full collection it was asked for (jcmd GC.run), as its status reports it. */
    private long heapAfterFullGc(int i) throws Exception {
        Process gc = new ProcessBuilder("jcmd", Long.toString(cluster.pid(i)), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor();
        for (JsonNode member : cluster.status(i).path("members")) {
            if (member.path("local").asBoolean()) {
                return member.path("heapAfterGcBytes").asLong();
            }
        }
        throw new IllegalStateException("member " + i + " not in its own status");
    }
}
