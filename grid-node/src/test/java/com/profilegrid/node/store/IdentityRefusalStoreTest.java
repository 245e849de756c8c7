package com.profilegrid.node.store;

import com.profilegrid.model.GridMaps;
import com.profilegrid.node.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Identity refusals in the database: stored with their latest reason, deleted when withdrawn, listed whole. */
class IdentityRefusalStoreTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_refusals_are_stored_changed_and_withdrawn_then_the_table_holds_what_the_map_held(TestDatabases kind)
            throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            IdentityRefusalStore store = new IdentityRefusalStore(database.dataSource(), database.dialect());
            String first = GridMaps.projectKey("acme", "m1");
            String second = GridMaps.projectKey("acme", "m2");
            String other = GridMaps.projectKey("globex", "m1");
            store.storeAll(Map.of(first, "would merge two known users, user:a and user:b", second, "x".repeat(3_000),
                    other, "would merge two known users, user:c and user:d"));
            store.store(first, "would merge two known users, user:a and user:e");
            store.delete(second);

            assertThat(store.load(first)).isEqualTo("would merge two known users, user:a and user:e");
            assertThat(store.load(second)).as("withdrawn").isNull();
            assertThat(store.loadAll(List.of(first, second, other))).containsOnlyKeys(first, other);
            assertThat(store.loadAllKeys()).containsExactlyInAnyOrder(first, other);

            store.store(second, "x".repeat(3_000));
            assertThat(store.load(second)).hasSize(2_000);
        } finally {
            TestDatabases.drop(settings);
        }
    }
}
