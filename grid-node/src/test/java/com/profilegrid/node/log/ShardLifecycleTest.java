package com.profilegrid.node.log;

import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.TestEvents;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.profile.TrackingLogReader.Shard;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Shards open and close with their writers: a clean close marks the shard closed, and a writer that starts again
 * under the same name closes what its killed predecessor left open, so readers can stop polling it.
 */
class ShardLifecycleTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_writer_restarts_after_a_kill_then_its_old_shard_is_closed_and_other_writers_shards_are_not(TestDatabases kind)
            throws Exception {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            JdbcTrackingLog killed = open(database, "10.0.0.1:5701");
            killed.append(TestEvents.tracks("acme", "before-kill-", 5)).get(10, TimeUnit.SECONDS);
            JdbcTrackingLog neighbour = open(database, "10.0.0.2:5701");
            // "killed" is never closed: its process died

            try (JdbcTrackingLog restarted = open(database, "10.0.0.1:5701")) {
                assertThat(restarted.listShards()).filteredOn(shard -> shard.closed()).isEmpty();
                restarted.closeAbandonedShards();
                assertThat(restarted.listShards()).containsExactly(
                        new Shard(killed.localShard(), true),
                        new Shard(neighbour.localShard(), false),
                        new Shard(restarted.localShard(), false));
                assertThat(restarted.read(killed.localShard(), 0, 100)).hasSize(5);

                // had the first writer not been dead after all, it finds its shard closed and stops committing to it
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() ->
                        killed.append(TestEvents.tracks("acme", "after-close-", 1)).get(10, TimeUnit.SECONDS))
                        .hasMessageContaining("was closed under this writer"));
                assertThat(killed.isShardOpen()).isFalse();
                assertThat(restarted.isShardOpen()).isTrue();
                assertThat(restarted.read(killed.localShard(), 0, 100)).hasSize(5);
            }
            neighbour.close();
            try (JdbcTrackingLog third = open(database, "10.0.0.3:5701")) {
                assertThat(third.listShards()).filteredOn(shard -> !shard.closed()).extracting(Shard::id)
                        .containsExactly(third.localShard());
            }
            killed.close(); // only to stop its writer thread in this JVM
        } finally {
            TestDatabases.drop(settings);
        }
    }

    private static JdbcTrackingLog open(Database database, String writer) throws SQLException {
        return new JdbcTrackingLog(database, Clock.systemUTC(), writer, 100, 1_000);
    }
}
