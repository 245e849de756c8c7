package com.profilegrid.node.profile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.ProfileMapStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRebuild;
import com.profilegrid.pipelines.profile.LogRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Invariants 3 and 4 over random event streams (duplicates, client retries, out-of-order arrival, identify
 * and alias) sent to two ingesting nodes: once quiet, every live profile equals the profile rebuilt from the
 * tracking log, field for field, and every persisted row equals the grid. The identity graphs of a processor may hold
 * only {@value #GRAPH_IDS} ids, so they forget clusters and read them back from the recorded links all along (the
 * other pipeline suites run with the default bound, where they rarely do); and a profile lists at most 1 raw id, so
 * that profiles of more seal them on their entries and in member chunks all along.
 */
class LiveEqualsRebuildTest {

    private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
    /**
     * Profiles list at most 1 raw id, so that every profile of more seals them (docs/profile-state.md, "Hot profiles"),
     * and keep 3 hours of visits of the 10 the events span, so that late events and merges meet visits cut at the
     * window's start.
     */
    private static final FoldSettings SETTINGS = new FoldSettings(FoldSettings.DEFAULTS.inactivityGap(),
            FoldSettings.DEFAULTS.recentEvents(), 1).withVisitRetention(Duration.ofHours(3));
    private static final ProfileFold FOLD = new ProfileFold(SETTINGS);
    private static Database.Settings db;
    private static NodeCluster cluster;
    private static NodeFixture a;
    private static NodeFixture b;

    private static final int GRAPH_IDS = 8;
    private static final String GRAPH_IDS_PROPERTY = "profilegrid.identity.max-ids";

    @BeforeContainer
    static void startTwoNodes() throws Exception {
        System.setProperty(GRAPH_IDS_PROPERTY, Integer.toString(GRAPH_IDS));
        Path dir = Files.createTempDirectory("profilegrid-live-rebuild");
        db = TestDatabases.POSTGRESQL.fresh(dir);
        cluster = NodeCluster.start(dir, db, 2, settings -> settings.withFold(SETTINGS));
        a = cluster.node(0);
        b = cluster.node(1);
    }

    /** Tries whose profiles sealed raw ids (member chunk rows stored): the property must exercise that path. */
    private static final java.util.concurrent.atomic.AtomicInteger SEALING_TRIES = new java.util.concurrent.atomic.AtomicInteger();

    @AfterContainer
    static void stopNodes() throws Exception {
        assertThat(SEALING_TRIES.get()).as("tries in which some profile sealed raw ids").isPositive();
        System.clearProperty(GRAPH_IDS_PROPERTY);
        cluster.close();
        TestDatabases.drop(db);
    }

    @Property(tries = 5)
    void once_quiet_live_profiles_equal_the_rebuild_and_rows_equal_the_grid(@ForAll("messages") List<ObjectNode> messages,
                                                                            @ForAll long seed) throws Exception {
        ProjectStore.Created project = a.createProject("p-" + seed);
        Random random = new Random(seed);
        List<ObjectNode> sends = new ArrayList<>(messages);
        for (ObjectNode message : messages) {
            if (random.nextInt(4) == 0) {
                sends.add(message); // a duplicate or a client retry
            }
        }
        Collections.shuffle(sends, random);
        for (int i = 0; i < sends.size(); ) {
            int size = 1 + random.nextInt(8);
            ArrayNode batch = NodeFixture.JSON.createArrayNode();
            sends.subList(i, Math.min(sends.size(), i + size)).forEach(batch::add);
            ObjectNode body = NodeFixture.JSON.createObjectNode();
            body.set("batch", batch);
            NodeFixture node = random.nextBoolean() ? a : b;
            node.postLogged("/v1/batch", project.writeKey(), body.toString());
            i += size;
        }

        IMap<ProfileKey, Profile> grid = a.node().profiles();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<TrackingEvent> logged = a.logRecords().stream().map(LogRecord::event)
                    .filter(event -> event.project().equals(project.projectId())).toList();
            assertThat(logged).hasSize(messages.size());
            Map<ProfileKey, Profile> rebuilt = LogRebuild.profiles(logged, FOLD);
            Map<ProfileKey, Profile> live = ReadersView.profiles(grid, project.projectId());
            assertThat(live).as("log: %s", logged.stream().map(e -> e.messageId() + "/" + e.type() + "/" + e.anonymousId()
                    + "/" + e.userId() + "/" + e.previousId() + "/" + e.timestamp() + "/" + e.traits()).toList()).isEqualTo(rebuilt);
        });

        a.node().flushProfiles(project.projectId());
        Map<ProfileKey, Profile> live = ReadersView.profiles(grid, project.projectId());
        assertRowsEqualGrid(project, live, grid);

        // the same log through a rebuild, whose job starts from nothing and so reads the log by visitor, not by
        // position (TrackingLogSource): the same profiles, and the rows equal them
        assertThat(a.admin("POST", "/admin/rebuild", null).statusCode()).isEqualTo(202);
        a.awaitRebuildDone();
        IMap<ProfileKey, Profile> rebuiltGrid = a.node().profiles(project.projectId());
        assertThat(rebuiltGrid.getName()).isNotEqualTo(grid.getName());
        Map<ProfileKey, Profile> rebuilt = ReadersView.profiles(rebuiltGrid, project.projectId());
        assertThat(rebuilt).as(() -> ProfileDiff.describe(live, rebuilt)).isEqualTo(live);
        a.node().flushProfiles(project.projectId());
        assertRowsEqualGrid(project, rebuilt, rebuiltGrid);
    }

    private static void assertRowsEqualGrid(ProjectStore.Created project, Map<ProfileKey, Profile> live,
                                            IMap<ProfileKey, Profile> grid) throws Exception {
        try (Database database = Database.open(db)) {
            assertThat(new ProfileMapStore(database.dataSource(), database.dialect()).loadAll(live.keySet())).isEqualTo(live);
            try (java.sql.Connection connection = database.dataSource().getConnection();
                 java.sql.PreparedStatement chunks = connection.prepareStatement(
                         "SELECT profile_id FROM profiles WHERE project = ? AND profile_id LIKE 'members:%'")) {
                chunks.setString(1, project.projectId());
                List<String> chunkIds = new ArrayList<>();
                try (java.sql.ResultSet rows = chunks.executeQuery()) {
                    while (rows.next()) {
                        chunkIds.add(rows.getString(1));
                    }
                }
                if (!chunkIds.isEmpty()) {
                    SEALING_TRIES.incrementAndGet();
                }
                // member chunks are state, not profiles: readers never get one
                for (String chunk : chunkIds) {
                    assertThat(grid.get(new ProfileKey(project.projectId(), chunk))).as(chunk).isNull();
                }
            }
        }
    }

    @Provide
    Arbitrary<List<ObjectNode>> messages() {
        Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 5);
        Arbitrary<Integer> anon = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> user = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> minute = Arbitraries.integers().between(0, 600);
        return Combinators.combine(kinds, anon, user, minute).as(Draft::new).list().ofMinSize(1).ofMaxSize(30)
                .map(drafts -> {
                    List<ObjectNode> messages = new ArrayList<>();
                    for (int i = 0; i < drafts.size(); i++) {
                        messages.add(drafts.get(i).message("m" + i));
                    }
                    // and in every try a visitor of two ids, each with an event of its own, so that every try seals
                    // (a random list may hold no profile of more than one id)
                    messages.add(new Draft(0, 9, 9, 0).message("seal-anon"));
                    messages.add(new Draft(1, 9, 9, 1).message("seal-user"));
                    return messages;
                });
    }

    private record Draft(int kind, int anon, int user, int minute) {
        ObjectNode message(String messageId) {
            ObjectNode m = NodeFixture.JSON.createObjectNode().put("messageId", messageId)
                    .put("timestamp", T0.plus(Duration.ofMinutes(minute)).toString())
                    .put("anonymousId", "a" + anon);
            switch (kind) {
                case 0 -> m.put("type", "track").put("event", "Viewed");
                case 1 -> m.put("type", "track").put("event", "Bought").put("userId", "u" + user);
                case 2 -> {
                    m.put("type", "identify").put("userId", "u" + user);
                    m.putObject("traits").put("plan", "plan-" + minute % 3).put("email", "u" + user + "@example.com");
                }
                case 3 -> {
                    m.put("type", "alias").put("userId", "u" + user).put("previousId", "a" + ((anon + 1) % 5));
                    m.remove("anonymousId");
                }
                case 4 -> m.put("type", "page").put("name", "Home");
                default -> {
                    m.put("type", "identify");
                    m.putObject("traits").put("email", "anon" + anon + "@example.com");
                }
            }
            return m;
        }
    }
}
