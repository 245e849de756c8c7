package com.profilegrid.node.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.client.internal.ProfileLookup;
import com.profilegrid.model.Generation;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.rebuild.GenerationSwitch;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.state.StatePipeline;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.rebuild.ProfileRebuild;
import com.profilegrid.node.rebuild.RebuildStatus;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * equals the rebuild from the log and the database equals it too. Of every project, or of one while the others
 * keep their generation.
 */
class RebuildWhileServingTest {

    private static final int USERS = 20;
    private static final ProfileFold FOLD = new ProfileFold(FoldSettings.DEFAULTS);
    private static final String ADMIN = "Bearer test-admin-token";

    @TempDir
    Path dir;

    @Test
    void when_profiles_are_rebuilt_while_serving_then_nothing_fails_and_readers_see_complete_profiles() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        String cluster = TestClusters.uniqueClusterName();
        int port = NodeFixture.freePort();
        try (NodeFixture node = NodeFixture.start(dir, db, cluster, IngestSettings.DEFAULTS, port, null)) {
            ProjectStore.Created project = node.createProject("acme");
            ingestAndSettle(node, List.of(project), 100);

            // a service reads through the SDK too: its near cache holds the old generation's profiles until the switch
            try (ProfileGridClient sdk = ProfileGridClient.connect(new ClientSettings(cluster,
                    List.of("127.0.0.1:" + port), null, null, Duration.ofSeconds(10)));
                 Serving serving = new Serving(List.of(node), List.of(project), sdk)) {
                long loggedBefore = node.logRecords().size();
                assertThat(startRebuild(node, "").statusCode()).isEqualTo(202);
                node.awaitRebuildDone();
                serving.stopAndAssertNothingFailed();
                // its progress counted the log: at least what it held when the rebuild started
                long inLog = NodeFixture.json(node.admin("GET", "/admin/rebuild", null).body()).path("eventsInLog")
                        .asLong();
                assertThat(inLog).isGreaterThanOrEqualTo(loggedBefore).isPositive();
                // after the switch the SDK reads the new generation: a profile's next event reaches it. (The last
                // batches of the serving load may still be on their way through the pipeline: the SDK's count is
                // compared with what the member holds once quiet, not with a count read before they landed.)
                node.postLogged("/v1/track", project.writeKey(), "{\"userId\":\"user-0\",\"event\":\"after\","
                        + "\"messageId\":\"after-switch\"}");
                awaitSettled(node, project);
                long settled = events(new ProfileLookup(node.node().member()).find(project.projectId(), "user-0")
                        .orElseThrow());
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Profile seen = sdk.profile(project.projectId(), "user-0").orElseThrow();
                    return seen.eventCounts().getOrDefault("after", 0L) == 1 && events(seen) == settled;
                });
            }

            assertThat(Generation.active(node.node().member()).number()).isEqualTo(1);
            assertLiveEqualsLogAndDatabase(node, db, project);
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void when_one_project_is_rebuilt_then_the_others_keep_their_generation_and_every_reader_sees_complete_profiles()
            throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 2)) {
            NodeFixture node = cluster.node(0);
            NodeFixture other = cluster.node(1);
            var member = node.node().member();
            await().atMost(Duration.ofSeconds(30)).until(() -> member.getCluster().getMembers().size() == 2);
            ProjectStore.Created acme = node.createProject("acme");
            ProjectStore.Created globex = node.createProject("globex");
            ingestAndSettle(node, List.of(acme, globex), 40);
            ingestAndSettle(other, List.of(acme, globex), 10);

            assertThat(startRebuild(node, "?project=no-such-project").statusCode()).isEqualTo(404);
            assertThat(Generation.ownGenerations(member)).isEmpty();

            try (Serving serving = new Serving(List.of(node, other), List.of(acme, globex))) {
                assertThat(startRebuild(node, "?project=" + acme.projectId()).statusCode()).isEqualTo(202);
                // one rebuild at a time in the cluster: another one, from any member, is refused while it runs
                RebuildStatus second = new ProfileRebuild(other.node().member(), null, FoldSettings.DEFAULTS).start(null);
                assertThat(second.state()).isEqualTo("FAILED");
                assertThat(second.message()).contains("another rebuild is running");
                node.awaitRebuildDone();
                serving.stopAndAssertNothingFailed();
            }

            assertThat(Generation.active(member, acme.projectId()).number()).isEqualTo(1);
            assertThat(Generation.active(member, globex.projectId()).number()).isZero();
            assertThat(Generation.active(member).number()).isZero();
            // the shared generation let go of the rebuilt project, and keeps skipping its events
            ingestAndSettle(node, List.of(acme, globex), 5);
            assertThat(projectEntries(node, new Generation(0), acme)).isZero();
            assertThat(projectEntries(node, new Generation(0), globex)).isPositive();
            assertLiveEqualsLogAndDatabase(node, db, acme);
            assertLiveEqualsLogAndDatabase(node, db, globex);

            try (Serving serving = new Serving(List.of(node, other), List.of(acme, globex))) {
                assertThat(startRebuild(node, "").statusCode()).isEqualTo(202);
                node.awaitRebuildDone();
                serving.stopAndAssertNothingFailed();
            }

            assertThat(Generation.active(member).number()).isEqualTo(2);
            try (Database database = Database.open(db)) {
                assertThat(TestDatabases.rowsOlderThan(database, 2)).as("rows of the retired generations").isZero();
            }
            assertThat(Generation.ownGenerations(member)).isEmpty();
            for (int retired : new int[] {0, 1}) {
                Job job = member.getJet().getJob(new Generation(retired).jobName());
                assertThat(job.getStatus().isTerminal()).as("job of generation %d", retired).isTrue();
                assertThat(member.getDistributedObjects()).extracting(DistributedObject::getName)
                        .doesNotContain(new Generation(retired).profilesMap(), new Generation(retired).idsMap());
            }
            assertLiveEqualsLogAndDatabase(node, db, acme);
            assertLiveEqualsLogAndDatabase(node, db, globex);
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void when_a_rebuild_is_left_half_built_then_the_watchdog_retires_it_unless_a_rebuild_holds_the_lock() throws Exception {
        Database.Settings db = TestDatabases.H2.fresh(dir);
        try (NodeFixture node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            var member = node.node().member();
            ProjectStore.Created acme = node.createProject("acme");
            ingestAndSettle(node, List.of(acme), 5);
            IMap<String, Integer> meta = Generation.meta(member);
            // a rebuild in progress (it holds the lock) keeps its generation through the watchdog's rounds
            Generation building = new Generation(7);
            meta.lock(GenerationSwitch.REBUILD_LOCK);
            try {
                Job job = ProfileJob.start(member, building, null, FoldSettings.DEFAULTS);
                await().atMost(Duration.ofSeconds(30)).until(() -> projectEntries(node, building, acme) > 0);
                Thread.sleep(6_000);
                assertThat(job.getStatus().isTerminal()).isFalse();
            } finally {
                meta.unlock(GenerationSwitch.REBUILD_LOCK);
            }
            // once nobody builds it and no reader uses it (its rebuild's member died), it is retired
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    member.getJet().getJob(building.jobName()).getStatus().isTerminal());
            assertThat(member.getDistributedObjects()).extracting(DistributedObject::getName)
                    .doesNotContain(building.profilesMap(), building.idsMap());
            assertThat(member.getJet().getJob(new Generation(0).jobName()).getStatus().isTerminal()).isFalse();
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** Ingest and reads of every project's users, on two threads, noting anything a user would call a failure. */
    private static final class Serving implements AutoCloseable {
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread ingest;
        private final Thread reader;
        private final Thread sdkReader;

        Serving(List<NodeFixture> nodes, List<ProjectStore.Created> projects) {
            this(nodes, projects, null);
        }

        /** Ingest and reads take turns over {@code nodes}; with {@code sdk}, a third thread reads through it. */
        Serving(List<NodeFixture> nodes, List<ProjectStore.Created> projects, ProfileGridClient sdk) {
            ingest = new Thread(() -> {
                Random random = new Random(4);
                for (int b = 0; running.get(); b++) {
                    NodeFixture node = nodes.get(b % nodes.size());
                    for (ProjectStore.Created project : projects) {
                        int status = node.post("/v1/batch", project.writeKey(), batch(random, "live-" + b + "-")).statusCode();
                        if (status / 100 != 2) {
                            problems.add("ingest into " + project.projectId() + " answered " + status);
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Map<String, Long> seen = new ConcurrentHashMap<>();
            reader = new Thread(() -> {
                for (int round = 0; running.get(); round++) {
                    NodeFixture node = nodes.get(round % nodes.size());
                    for (ProjectStore.Created project : projects) {
                        for (int u = 0; u < USERS; u++) {
                            String who = project.projectId() + "/user-" + u;
                            HttpResponse<String> response = node.send(node.request("/v1/profiles/user-" + u,
                                    project.readKey()).GET().build());
                            if (response.statusCode() != 200) {
                                problems.add("read of " + who + " answered " + response.statusCode());
                                continue;
                            }
                            long events = 0;
                            for (JsonNode count : NodeFixture.json(response.body()).get("eventCounts")) {
                                events += count.asLong();
                            }
                            Long before = seen.put(who, events);
                            if (before != null && events < before) {
                                problems.add(who + " went from " + before + " to " + events + " events");
                            }
                        }
                    }
                }
            });
            sdkReader = sdk == null ? null : new Thread(() -> {
                Map<String, Long> sdkSeen = new java.util.HashMap<>();
                while (running.get()) {
                    for (ProjectStore.Created project : projects) {
                        for (int u = 0; u < USERS; u++) {
                            String who = project.projectId() + "/user-" + u;
                            try {
                                Optional<Profile> profile = sdk.profile(project.projectId(), "user-" + u);
                                if (profile.isEmpty()) {
                                    problems.add("SDK read of " + who + " found nothing");
                                    continue;
                                }
                                long events = events(profile.get());
                                Long before = sdkSeen.put(who, events);
                                if (before != null && events < before) {
                                    problems.add("SDK: " + who + " went from " + before + " to " + events + " events");
                                }
                            } catch (RuntimeException e) {
                                problems.add("SDK read of " + who + " failed: " + e);
                            }
                        }
                    }
                }
            });
            ingest.start();
            reader.start();
            if (sdkReader != null) {
                sdkReader.start();
            }
        }

        void stopAndAssertNothingFailed() throws InterruptedException {
            close();
            assertThat(problems).isEmpty();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            ingest.join(30_000);
            reader.join(30_000);
            if (sdkReader != null) {
                sdkReader.join(30_000);
            }
        }
    }

    private static void ingestAndSettle(NodeFixture node, List<ProjectStore.Created> projects, int batches)
            throws InterruptedException {
        Random random = new Random(3);
        for (ProjectStore.Created project : projects) {
            for (int b = 0; b < batches; b++) {
                String prefix = "pre-" + System.nanoTime() + "-" + b + "-";
                node.postLogged("/v1/batch", project.writeKey(), batch(random, prefix));
            }
        }
        for (ProjectStore.Created project : projects) {
            awaitSettled(node, project);
        }
    }

    /** Waits until the project's profiles hold every event its log holds. */
    private static void awaitSettled(NodeFixture node, ProjectStore.Created project) {
        await().atMost(Duration.ofSeconds(60)).until(() -> totalEvents(node, project) == logged(node, project).size());
    }

    private static HttpResponse<String> startRebuild(NodeFixture node, String query) {
        return node.send(HttpRequest.newBuilder(node.uri("/admin/rebuild" + query)).header("Authorization", ADMIN)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** The project's profiles in the grid equal the fold of its logged events, and after a flush its rows equal them. */
    private static void assertLiveEqualsLogAndDatabase(NodeFixture node, Database.Settings db,
                                                       ProjectStore.Created project) throws Exception {
        IMap<ProfileKey, Profile> grid = node.node().profiles(project.projectId());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<ProfileKey, Profile> live = live(grid, project);
            Map<ProfileKey, Profile> rebuilt = LogRebuild.profiles(logged(node, project), FOLD);
            assertThat(live).as(() -> ProfileDiff.describe(rebuilt, live)).isEqualTo(rebuilt);
        });
        node.node().flushProfiles(project.projectId());
        Map<ProfileKey, Profile> live = live(grid, project);
        try (Database database = Database.open(db)) {
            assertThat(new ProfileMapStore(database.dataSource(), database.dialect()).loadAll(live.keySet())).isEqualTo(live);
            assertThat(TestDatabases.profileRows(database, project.projectId())).isEqualTo(live.size());
        }
    }

    private static List<TrackingEvent> logged(NodeFixture node, ProjectStore.Created project) {
        return node.logRecords().stream().map(LogRecord::event)
                .filter(event -> event.project().equals(project.projectId())).toList();
    }

    private static long projectEntries(NodeFixture node, Generation generation, ProjectStore.Created project) {
        var member = node.node().member();
        long profiles = member.<ProfileKey, Object>getMap(StatePipeline.Maps.statesMap(generation)).keySet().stream()
                .filter(key -> key.project().equals(project.projectId())).count();
        long ids = member.<String, Object>getMap(StatePipeline.Maps.rawIdsMap(generation)).keySet().stream()
                .filter(key -> key.startsWith(GridMaps.projectKey(project.projectId(), ""))).count();
        return profiles + ids;
    }

    private static Map<ProfileKey, Profile> live(IMap<ProfileKey, Profile> grid, ProjectStore.Created project) {
        return ReadersView.profiles(grid, project.projectId());
    }

    private static long events(Profile profile) {
        return profile.eventCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    private static long totalEvents(NodeFixture node, ProjectStore.Created project) {
        return live(node.node().profiles(project.projectId()), project).values().stream()
                .mapToLong(profile -> profile.eventCounts().values().stream().mapToLong(Long::longValue).sum()).sum();
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
