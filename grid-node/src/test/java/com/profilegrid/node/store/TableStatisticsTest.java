package com.profilegrid.node.store;

import com.profilegrid.node.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On PostgreSQL (autovacuum is off on the test server, as a user's may be), a table that grew is analyzed, so its
 * key lookups are planned as index probes; a table that barely changed is left alone, and once analyzed a table is
 * not analyzed again until it changes again.
 */
class TableStatisticsTest {

    @TempDir
    Path dir;

    @Test
    void a_table_that_grew_is_analyzed_once_and_its_lookups_probe_the_index() throws Exception {
        Database.Settings settings = TestDatabases.POSTGRESQL.fresh(dir);
        try (Database database = Database.open(settings);
             TableStatistics statistics = TableStatistics.keepFresh(database, () -> false)) {
            insertPositions(database, 0, 20_000);
            Transactions.inTransaction(database.dataSource(), connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO grid_meta (name, num) VALUES ('few', 1)")) {
                    insert.executeUpdate();
                }
                return null;
            });

            // a backend reports its changes to the statistics collector within a second or so of going idle
            assertThat(awaitAnalyzed(statistics, "log_positions")).doesNotContain("grid_meta");
            assertThat(reltuples(database, "log_positions")).isEqualTo(20_000);
            assertThat(plan(database, "SELECT seq FROM log_positions WHERE job = 'job-7' AND shard = 7"))
                    .contains("Index").doesNotContain("Seq Scan");
            assertThat(statistics.analyzeStale()).doesNotContain("log_positions");
        } finally {
            TestDatabases.drop(settings);
        }
    }

    @Test
    void a_large_table_is_analyzed_again_only_once_it_changed_by_as_many_rows_as_it_holds() throws Exception {
        Database.Settings settings = TestDatabases.POSTGRESQL.fresh(dir);
        try (Database database = Database.open(settings);
             TableStatistics statistics = TableStatistics.keepFresh(database, () -> false)) {
            int large = (int) TableStatistics.LARGE;
            insertPositions(database, 0, large + 10_000);
            awaitAnalyzed(statistics, "log_positions");
            assertThat(reltuples(database, "log_positions")).isEqualTo(large + 10_000);

            // a third more: a small table would be analyzed again, a large one is not
            insertPositions(database, large + 10_000, large / 3);
            Thread.sleep(2_000); // the statistics collector has the changes by now
            assertThat(statistics.analyzeStale()).doesNotContain("log_positions");

            // as many changed rows as the table held: analyzed again
            insertPositions(database, large + 10_000 + large / 3, large);
            awaitAnalyzed(statistics, "log_positions");
        } finally {
            TestDatabases.drop(settings);
        }
    }

    private static void insertPositions(Database database, int from, int count) throws SQLException {
        Transactions.inTransaction(database.dataSource(), connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO log_positions (job, shard, seq) VALUES (?, ?, ?)")) {
                for (int i = from; i < from + count; i++) {
                    insert.setString(1, "job-" + (i % 50));
                    insert.setLong(2, i);
                    insert.setLong(3, i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    /**
     * Analyzes stale tables until {@code table} is among them (20 s at most: its changes reach the collector late);
     * answers the tables analyzed with it.
     */
    private static List<String> awaitAnalyzed(TableStatistics statistics, String table) throws Exception {
        List<String> analyzed = List.of();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!analyzed.contains(table) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            analyzed = statistics.analyzeStale();
        }
        assertThat(analyzed).contains(table);
        return analyzed;
    }

    private static long reltuples(Database database, String table) throws SQLException {
        return Transactions.autoCommit(database.dataSource(), connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)")) {
                query.setString(1, table);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    return (long) rows.getDouble(1);
                }
            }
        });
    }

    private static String plan(Database database, String select) throws SQLException {
        return Transactions.autoCommit(database.dataSource(), connection -> {
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = connection.createStatement().executeQuery("EXPLAIN " + select)) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            return plan.toString();
        });
    }
}
