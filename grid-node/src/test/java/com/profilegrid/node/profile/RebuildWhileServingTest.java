package com.profilegrid.node.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.ProfileMapStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRebuild;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rebuild from the tracking log while ingest and reads go on: no request fails, readers always find complete
 * profiles (never missing, never with fewer events than they saw before), and afterwards the new generation
 * equals the rebuild from the log and the database equals it too.
 */
class RebuildWhileServingTest {

    private static final int USERS = 20;
    private static final ProfileFold FOLD = new ProfileFold(FoldSettings.DEFAULTS);

    @TempDir
    Path dir;

    @Test
    void when_profiles_are_rebuilt_while_serving_then_nothing_fails_and_readers_see_complete_profiles() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeFixture node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("acme");
            Random random = new Random(3);
            for (int b = 0; b < 100; b++) {
                assertThat(node.post("/v1/batch", project.writeKey(), batch(random, "pre-" + b + "-")).statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> totalEvents(node, project) == 1_000);

            List<String> problems = new CopyOnWriteArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread ingest = new Thread(() -> {
                Random r = new Random(4);
                for (int b = 0; running.get(); b++) {
                    int status = node.post("/v1/batch", project.writeKey(), batch(r, "live-" + b + "-")).statusCode();
                    if (status / 100 != 2) {
                        problems.add("ingest answered " + status);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Map<String, Long> seen = new ConcurrentHashMap<>();
            Thread reader = new Thread(() -> {
                while (running.get()) {
                    for (int u = 0; u < USERS; u++) {
                        HttpResponse<String> response = node.send(node.request("/v1/profiles/user-" + u, project.readKey())
                                .GET().build());
                        if (response.statusCode() != 200) {
                            problems.add("read of user-" + u + " answered " + response.statusCode());
                            continue;
                        }
                        long events = 0;
                        for (JsonNode count : NodeFixture.json(response.body()).get("eventCounts")) {
                            events += count.asLong();
                        }
                        Long before = seen.put("user-" + u, events);
                        if (before != null && events < before) {
                            problems.add("user-" + u + " went from " + before + " to " + events + " events");
                        }
                    }
                }
            });
            ingest.start();
            reader.start();

            HttpResponse<String> started = node.send(HttpRequest.newBuilder(node.uri("/admin/rebuild"))
                    .header("Authorization", "Bearer test-admin-token").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(started.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                JsonNode status = NodeFixture.json(node.send(HttpRequest.newBuilder(node.uri("/admin/rebuild"))
                        .header("Authorization", "Bearer test-admin-token").GET().build()).body());
                assertThat(status.get("state").asText()).isNotEqualTo("FAILED");
                return status.get("state").asText().equals("DONE");
            });
            running.set(false);
            ingest.join(30_000);
            reader.join(30_000);

            assertThat(problems).isEmpty();
            assertThat(Generation.active(node.node().member()).number()).isEqualTo(1);
            IMap<ProfileKey, Profile> grid = node.node().profiles();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<TrackingEvent> logged = node.logRecords().stream().map(LogRecord::event)
                        .filter(event -> event.project().equals(project.projectId())).toList();
                assertThat(live(grid, project)).isEqualTo(LogRebuild.profiles(logged, FOLD));
            });
            grid.flush();
            Map<ProfileKey, Profile> live = live(grid, project);
            try (Database database = Database.open(db)) {
                assertThat(new ProfileMapStore(database.dataSource(), database.dialect()).loadAll(live.keySet())).isEqualTo(live);
                assertThat(rowCount(database)).isEqualTo(live.size());
            }
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static Map<ProfileKey, Profile> live(IMap<ProfileKey, Profile> grid, ProjectStore.Created project) {
        return grid.entrySet().stream().filter(entry -> entry.getKey().project().equals(project.projectId()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static long totalEvents(NodeFixture node, ProjectStore.Created project) {
        return live(node.node().profiles(), project).values().stream()
                .mapToLong(profile -> profile.eventCounts().values().stream().mapToLong(Long::longValue).sum()).sum();
    }

    private static long rowCount(Database database) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM profiles")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String batch(Random random, String prefix) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 10; i++) {
            int user = random.nextInt(USERS);
            body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"e").append(random.nextInt(3))
                    .append("\",\"userId\":\"user-").append(user).append("\",\"anonymousId\":\"a-").append(user)
                    .append("\",\"messageId\":\"").append(prefix).append(i).append("\",\"timestamp\":\"2026-11-01T")
                    .append(String.format("%02d:%02d:00Z", 8 + random.nextInt(10), random.nextInt(60))).append("\"}");
        }
        return body.append("]}").toString();
    }
}
