package com.profilegrid.node.store;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.model.Generation;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.rebuild.GenerationSwitch;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.identity.ProjectLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a restart goes on from, in the database: stored positions only grow, each pair of ids keeps its earliest link
 * and an id's links are found from either end, a checkpoint stores only a live generation's positions and none while a rebuild
 * switches, and the generations in use come back into an empty meta map.
 */
class DurableProgressStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void positions_only_grow_and_each_pair_keeps_its_earliest_link_found_from_either_end(TestDatabases kind) throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            DurableProgressStore store = new DurableProgressStore(database.dataSource(), database.dialect());
            store.store("job-a", Map.of(1L, 5L, 2L, 3L));
            store.store("job-a", Map.of(1L, 4L, 2L, 7L, 3L, 1L));
            assertThat(store.positions("job-a")).isEqualTo(Map.of(1L, 5L, 2L, 7L, 3L, 1L));
            assertThat(store.positions("job-b")).isEmpty();

            ProjectLink later = seed("acme", "user:u1", "anon:a1", 60, "m2");
            ProjectLink earlier = seed("acme", "user:u1", "anon:a1", 0, "m1");
            store.saveLinks(List.of(later, earlier, later)); // the same pair three times in one write
            store.saveLinks(List.of(seed("acme", "user:u1", "anon:a1", 120, "m3")));
            List<ProjectLink> more = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                more.add(seed(i % 2 == 0 ? "acme" : "beta", "user:u" + i, "email:e" + i + "@example.com", i, "n" + i));
            }
            store.saveLinks(more);

            assertThat(store.linksTouching("acme", List.of("anon:a1"))).containsExactly(earlier);
            assertThat(store.linksTouching("acme", List.of("user:u1", "user:u0", "email:e2@example.com", "user:nobody")))
                    .containsExactlyInAnyOrder(earlier, more.get(0), more.get(2));
            assertThat(store.linksTouching("beta", List.of("email:e1@example.com", "anon:a1")))
                    .containsExactly(more.get(1));
            assertThat(store.linksTouching("gamma", List.of("user:u1"))).isEmpty();

            long first = store.nextEpoch(1_000, 100);
            assertThat(first).isEqualTo(1_000);
            assertThat(store.nextEpoch(500, 100)).as("a clock behind the last run's").isEqualTo(1_100);
            assertThat(store.nextEpoch(5_000, 100)).isEqualTo(5_000);
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @Test
    void a_checkpoint_stores_live_generations_only_and_the_generations_in_use_come_back() throws SQLException {
        Database.Settings settings = TestDatabases.H2.fresh(dir);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(TestClusters.withoutStore(TestClusters.uniqueClusterName()));
        try (Database database = Database.open(settings)) {
            DurableProgressStore store = new DurableProgressStore(database.dataSource(), database.dialect());
            Generation live = new Generation(0);
            Generation building = new Generation(1);
            store.applied(live.jobName(), Map.of(1L, 10L));
            store.applied(building.jobName(), Map.of(1L, 20L));

            Generation.meta(member).lock(GenerationSwitch.REBUILD_LOCK);
            store.checkpoint(member, Set.of(live));
            assertThat(store.positions(live.jobName())).as("not while a rebuild switches").isEmpty();
            Generation.meta(member).unlock(GenerationSwitch.REBUILD_LOCK);

            store.checkpoint(member, Set.of(live));
            assertThat(store.positions(live.jobName())).isEqualTo(Map.of(1L, 10L));
            assertThat(store.positions(building.jobName())).isEmpty();
            store.checkpoint(member, Set.of(live, building)); // switched to: its positions are stored too
            assertThat(store.positions(building.jobName())).isEqualTo(Map.of(1L, 20L));

            MetaTable table = new MetaTable(database.dataSource());
            Generation next = GenerationSwitch.reserveNext(member, table);
            GenerationSwitch.activate(member, next, table);
            GenerationSwitch.activate(member, new Generation(5), "acme", table);
            assertThat(table.load()).containsEntry(Generation.ACTIVE_KEY, next.number())
                    .containsEntry(Generation.PROJECT_KEY_PREFIX + "acme", 5);

            member.shutdown();
            member = Hazelcast.newHazelcastInstance(TestClusters.withoutStore(TestClusters.uniqueClusterName()));
            assertThat(Generation.active(member).number()).as("a new cluster, before the restore").isZero();
            GenerationSwitch.restore(member, table);
            assertThat(Generation.active(member)).isEqualTo(next);
            assertThat(Generation.active(member, "acme").number()).isEqualTo(5);
            assertThat(GenerationSwitch.reserveNext(member, table).number()).as("numbers are not reused").isEqualTo(6);
        } finally {
            member.shutdown();
            TestDatabases.drop(settings);
        }
    }

    private static ProjectLink seed(String project, String a, String b, int minutes, String messageId) {
        return new ProjectLink(project, new Link(a, b, T0.plusSeconds(60L * minutes), messageId));
    }
}
