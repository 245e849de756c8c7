package com.profilegrid.node.store;

import com.profilegrid.model.EventType;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.state.RawIdEntry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A raw id's state reads back from the database exactly as written: its fold, positions, version and profile. */
class RawIdStoreTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_raw_id_is_stored_then_it_loads_back_equal_and_an_evicted_one_goes_on_from_its_positions(TestDatabases kind)
            throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            RawIdStore store = new RawIdStore(database.dataSource(), database.dialect());
            ProfileFold fold = new ProfileFold(FoldSettings.DEFAULTS);
            Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
            RawIdEntry entry = RawIdEntry.empty("acme", "anon:a1");
            for (int seq = 1; seq <= 3; seq++) {
                entry = entry.apply(new LogRecord(seq % 2 + 1, seq, new TrackingEvent("acme", "m" + seq, EventType.IDENTIFY,
                        null, "a1", null, null, null, t0.plusSeconds(seq), t0, "{}", "{\"plan\":\"pro\",\"n\":" + seq + "}",
                        "{}", "{}")), fold).orElseThrow();
            }
            entry = new RawIdEntry(entry.partial(), entry.applied(), entry.version(), "user:u1", 7);
            String key = GridMaps.projectKey("acme", "anon:a1");

            store.storeAll(Map.of(key, entry));
            store.store(key, entry); // a write-behind replay
            RawIdEntry loaded = store.load(key);

            assertThat(loaded).isEqualTo(entry);
            assertThat(loaded.hasApplied(2, 3)).isTrue();
            assertThat(loaded.apply(new LogRecord(2, 3, null), fold)).isEmpty();
            assertThat(store.load(GridMaps.projectKey("acme", "anon:nobody"))).isNull();
            store.deleteAll(List.of(key));
            assertThat(store.load(key)).isNull();
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_row_was_written_before_rows_were_packed_then_it_loads_from_its_columns_until_written_again(
            TestDatabases kind) throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            RawIdStore store = new RawIdStore(database.dataSource(), database.dialect());
            Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
            RawIdEntry entry = RawIdEntry.empty("acme", "anon:a1").apply(new LogRecord(1, 5, new TrackingEvent("acme",
                    "m1", EventType.IDENTIFY, null, "a1", null, null, null, t0, t0, "{}", "{\"plan\":\"pro\"}", "{}",
                    "{}")), new ProfileFold(FoldSettings.DEFAULTS)).orElseThrow();
            entry = new RawIdEntry(entry.partial(), entry.applied(), entry.version(), "user:u1", 7, 1);
            String key = GridMaps.projectKey("acme", "anon:a1");
            // the row as the store wrote it before V15: the partial in a profile's columns, the positions as JSON
            try (Connection connection = database.dataSource().getConnection();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO raw_ids (" + ProfileRows.COLUMNS
                         + ", applied, version, belongs_to, belongs_revision, sealed, generation) VALUES ("
                         + ProfileRows.PLACEHOLDERS + ", ?, ?, ?, ?, ?, 0)")) {
                new ProfileRows().bind(insert, entry.partial());
                int at = ProfileRows.COLUMNS.split(", ").length + 1;
                insert.setString(at, "{\"1\":5}"); // shard 1 applied up to 5
                insert.setLong(at + 1, entry.version());
                insert.setString(at + 2, entry.profileId());
                insert.setLong(at + 3, entry.profileRevision());
                insert.setLong(at + 4, entry.sealed());
                insert.executeUpdate();
            }
            IdIndexStore index = new IdIndexStore(database.dataSource(), database.dialect());

            assertThat(store.load(key)).isEqualTo(entry);
            assertThat(index.load(key)).isEqualTo("user:u1");

            RawIdEntry moved = new RawIdEntry(entry.partial(), entry.applied(), entry.version(), "user:u2", 8, 0);
            store.store(key, moved); // written again: packed
            assertThat(store.load(key)).isEqualTo(moved);
            assertThat(index.load(key)).isEqualTo("user:u2");
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_many_raw_ids_of_two_projects_are_loaded_at_once_then_each_key_gets_its_own_projects_row(TestDatabases kind)
            throws SQLException {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings)) {
            RawIdStore store = new RawIdStore(database.dataSource(), database.dialect());
            Map<String, RawIdEntry> stored = new java.util.HashMap<>();
            for (int i = 0; i < 1_203; i++) { // more than one load statement's worth
                stored.put(GridMaps.projectKey("acme", "anon:a" + i), new RawIdEntry(RawIdEntry.empty("acme", "anon:a" + i).partial(), Map.of(1L, (long) i), i, "user:acme" + i, i));
            }
            for (int i = 0; i < 3; i++) { // the same ids in another project, pointing elsewhere
                stored.put(GridMaps.projectKey("globex", "anon:a" + i), new RawIdEntry(RawIdEntry.empty("globex", "anon:a" + i).partial(), Map.of(2L, (long) i), i, "user:globex" + i, i));
            }
            store.storeAll(stored);
            List<String> asked = new java.util.ArrayList<>(stored.keySet());
            asked.add(GridMaps.projectKey("globex", "anon:a3")); // in acme only
            asked.add(GridMaps.projectKey("initech", "anon:a0"));

            Map<String, RawIdEntry> loaded = store.loadAll(asked);

            assertThat(loaded).isEqualTo(stored);
        } finally {
            TestDatabases.drop(settings);
        }
    }
}
