package com.profilegrid.node.profile;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full stop and start of a 2-node cluster, each node a JVM of its own on PostgreSQL, while a reader polls every
 * visitor by its anonymous id and its user id throughout: once a node answers, a known id never answers 404 and a
 * profile never reads back with fewer events than it had, and the restarted job goes on from the positions the first
 * run stored rather than from the log's beginning. The visitors merged (an anonymous id identified as a user), so the
 * restarted job's identity graph must hold the links recorded before those positions, and what it replays after them
 * passes through merges the raw ids already followed.
 */
class FullRestartIT {

    private static final int VISITORS = 500;
    /** Readers polling at once, each over its share of the visitors. */
    private static final int READERS = 3;
    /**
     * Per visitor, in three rounds over all visitors: an anonymous id gives its e-mail address, another anonymous id
     * is identified as the user, and the user gives the same address, which merges all three. Replayed from the log by
     * a job that starts with an empty identity graph, the first round alone makes the first anonymous id a profile of
     * its own again (with a decision newer than the merge), until the third round is replayed.
     */
    private static final int EVENTS_EACH = 3;
    private static final List<String> IDS = List.of("anon-b-", "anon-a-", "user-");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Long> mostSeen = new ConcurrentHashMap<>();
    private final List<String> regressions = new CopyOnWriteArrayList<>();

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void when_a_two_node_cluster_stops_and_starts_then_no_known_id_answers_404_and_no_profile_shrinks() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        ProjectStore.Created project = TestDatabases.createProject(db, "restart");
        String cluster = TestClusters.uniqueClusterName();
        int[] hazelcast = {NodeFixture.freePort(), NodeFixture.freePort()};
        int[] httpPorts = {NodeFixture.freePort(), NodeFixture.freePort()};
        String members = "127.0.0.1:" + hazelcast[0] + ",127.0.0.1:" + hazelcast[1];
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            startBoth(db, cluster, hazelcast, httpPorts, members, nodes, "first");
            send(project, "http://127.0.0.1:" + httpPorts[0]);
            String[] bases = {"http://127.0.0.1:" + httpPorts[0], "http://127.0.0.1:" + httpPorts[1]};
            awaitAllWhole(project, bases[1], Duration.ofMinutes(3));

            AtomicBoolean polling = new AtomicBoolean(true);
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                int share = r;
                Thread reader = new Thread(() -> {
                    int round = share;
                    while (polling.get()) {
                        pollOnce(project, bases[round++ % 2], share);
                    }
                }, "restart-reader-" + r);
                reader.start();
                readers.add(reader);
            }
            try {
                // a full stop: each node flushes its write-behind and leaves; then the cluster starts again, empty
                for (int i = nodes.size() - 1; i >= 0; i--) {
                    assertThat(nodes.get(i).terminate(Duration.ofSeconds(90))).as("node %d stops", i).isTrue();
                }
                nodes.clear();
                startBoth(db, cluster, hazelcast, httpPorts, members, nodes, "second");
                awaitAllWhole(project, bases[0], Duration.ofMinutes(3));
                Thread.sleep(5_000); // the restarted job goes on replaying the log meanwhile: keep reading
            } finally {
                polling.set(false);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
            assertThat(regressions).as("reads that answered 404 for a known id or fewer events than before; node logs:%n%s",
                    warnings()).isEmpty();
            assertThat(mostSeen).as("every id was read").hasSize(IDS.size() * VISITORS);
            assertThat(logs("second")).as("the restarted job goes on from stored positions")
                    .contains("starts from its stored positions");
        } finally {
            for (NodeProcess node : nodes) {
                node.close();
            }
            TestDatabases.drop(db);
        }
    }

    private void startBoth(Database.Settings db, String cluster, int[] hazelcast, int[] httpPorts, String members,
                           List<NodeProcess> nodes, String run) throws IOException {
        // one after the other: two members touching the state maps for the first time while they join can lose a
        // partition's "loaded" message, a known open problem (docs/profile-state.md), not what this test is about
        for (int i = 0; i < 2; i++) {
            nodes.add(NodeProcess.start(dir.resolve("node-" + i + "-" + run + ".log"), httpPorts[i],
                    "--cluster-name", cluster, "--hazelcast-port", Integer.toString(hazelcast[i]), "--members", members,
                    "--data-dir", dir.resolve("node-" + i).toString(), "--db-url", db.url(), "--db-user", db.user(),
                    "--db-schema", db.schema()).awaitReady());
        }
    }

    private void send(ProjectStore.Created project, String base) throws Exception {
        int batch = 100;
        for (int round = 0; round < EVENTS_EACH; round++) {
            for (int from = 0; from < VISITORS; from += batch) {
                StringBuilder body = new StringBuilder("{\"batch\":[");
                for (int v = from; v < from + batch; v++) {
                    String ids = switch (round) {
                        case 0 -> "\"anonymousId\":\"anon-b-" + v + "\",\"traits\":{\"email\":\"v" + v + "@example.com\"}";
                        case 1 -> "\"anonymousId\":\"anon-a-" + v + "\",\"userId\":\"user-" + v + "\"";
                        default -> "\"userId\":\"user-" + v + "\",\"traits\":{\"email\":\"v" + v + "@example.com\"}";
                    };
                    body.append(v == from ? "" : ",").append("{\"type\":\"identify\",").append(ids)
                            .append(",\"messageId\":\"m").append(round).append('-').append(v)
                            .append("\",\"timestamp\":\"2026-11-01T10:0").append(round).append(":00Z\"}");
                }
                NodeFixture.postBatch(http, base, project.writeKey(), body.append("]}").toString());
            }
        }
    }

    /** Polls until every visitor reads back with all its events by both its ids. */
    private void awaitAllWhole(ProjectStore.Created project, String base, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        int whole;
        do {
            Thread.sleep(1_000);
            whole = 0;
            for (int v = 0; v < VISITORS; v++) {
                try {
                    boolean all = true;
                    for (String id : IDS) {
                        all &= events(project, base, id + v) == EVENTS_EACH;
                    }
                    whole += all ? 1 : 0;
                } catch (IOException | IllegalStateException e) {
                    // a read that timed out while the node is busy, or a node not ready yet: asked again next round
                }
            }
        } while (whole < VISITORS && System.nanoTime() < deadline);
        assertThat(whole).as("visitors read back whole from %s; node logs:%n%s", base, warnings()).isEqualTo(VISITORS);
    }

    /** The node logs of one run, whole. */
    private String logs(String run) throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            all.append(java.nio.file.Files.readString(dir.resolve("node-" + i + "-" + run + ".log")));
        }
        return all.toString();
    }

    /** The warnings and errors of the node logs so far. */
    private String warnings() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var logs = java.nio.file.Files.list(dir)) {
            for (Path log : logs.filter(path -> path.toString().endsWith(".log")).sorted().toList()) {
                java.nio.file.Files.readAllLines(log).stream()
                        .filter(line -> line.contains("WARN") || line.contains("ERROR") || line.contains("Caused by"))
                        .map(line -> line.length() > 600 ? line.substring(0, 600) + "..." : line).limit(40)
                        .forEach(line -> all.append(log.getFileName()).append(": ").append(line).append('\n'));
            }
        }
        return all.toString();
    }

    /** One pass over every id of a share of the visitors, recording a 404 for an id seen before, or fewer events than seen before. */
    private void pollOnce(ProjectStore.Created project, String base, int share) {
        for (int v = share; v < VISITORS; v += READERS) {
            for (String prefix : IDS) {
                String id = prefix + v;
                long seen;
                try {
                    seen = events(project, base, id);
                } catch (IOException | InterruptedException | IllegalStateException e) {
                    continue; // the node is down or not ready: no answer is not a wrong answer
                }
                Long before = mostSeen.get(id);
                if (before != null && seen < before) {
                    regressions.add(id + " read " + (seen < 0 ? "404" : seen + " events") + " after " + before);
                }
                if (seen >= 0) {
                    mostSeen.merge(id, seen, Math::max);
                }
            }
        }
    }

    /** The id's profile's event count as a read answers it, {@code -1} for 404; a node not ready throws. */
    private long events(ProjectStore.Created project, String base, String id) throws IOException, InterruptedException {
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/profiles/" + id))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (project.readKey() + ":").getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (read.statusCode() == 404) {
            return -1;
        }
        if (read.statusCode() != 200) {
            throw new IllegalStateException("answered " + read.statusCode() + ": " + read.body());
        }
        long total = 0;
        for (JsonNode count : NodeFixture.json(read.body()).get("eventCounts")) {
            total += count.asLong();
        }
        return total;
    }
}
