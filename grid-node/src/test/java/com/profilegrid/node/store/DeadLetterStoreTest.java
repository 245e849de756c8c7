package com.profilegrid.node.store;

import com.profilegrid.node.TestDatabases;
import com.profilegrid.pipelines.profile.DeadLetter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Dead letters in the database: stored once with their first-seen time, which a second store does not change. */
class DeadLetterStoreTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_letter_is_stored_twice_then_the_first_is_kept_and_loads_back(TestDatabases kind) throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            DeadLetterStore store = new DeadLetterStore(database.dataSource(), database.dialect());
            DeadLetter first = new DeadLetter("acme", "m1", 3, 42, "fold failed: boom", Instant.ofEpochMilli(1_000));
            DeadLetter other = new DeadLetter("acme", "m2", 3, 43, "x".repeat(3_000), Instant.ofEpochMilli(2_000));
            store.storeAll(Map.of(first.key(), first, other.key(), other));
            store.store(first.key(), first.withFirstSeen(Instant.ofEpochMilli(9_000)));
            store.delete(first.key());

            assertThat(store.load(first.key())).isEqualTo(first);
            assertThat(store.load(other.key()).reason()).hasSize(2_000);
            assertThat(store.loadAllKeys()).containsExactlyInAnyOrderElementsOf(List.of(first.key(), other.key()));
            assertThat(store.load(new DeadLetter("acme", "nope", 0, 0, "", Instant.EPOCH).key())).isNull();
        } finally {
            TestDatabases.drop(settings);
        }
    }
}
