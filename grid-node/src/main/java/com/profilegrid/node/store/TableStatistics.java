package com.profilegrid.node.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps PostgreSQL's planner statistics of the node's tables up to date: {@code ANALYZE} of a table once a share of
 * its rows changed since it was last analyzed, the rule autovacuum follows, up to {@link #LARGE} rows; a table larger
 * than that once it changed by as many rows as it holds.
 *
 * <p>Every lookup of the profile state (loads, deletes, identity links) is one index probe per key, but the planner
 * only picks the probe when it knows the table is large. With autovacuum off, or not yet round to a table that grew
 * from empty within the minute, it plans from the statistics of a nearly empty table: a sequential scan, or the index
 * of another column filtered row by row. Measured: a batch load of 200 profiles took 0.3 to 1.1 s against 23,000 rows
 * instead of a few milliseconds, and ingest stalled behind it. So the node does not rely on autovacuum for this.
 * Nothing to do on H2, whose planner does not go wrong this way.
 */
public final class TableStatistics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TableStatistics.class);

    /** Analyze once this many rows changed, plus {@link #SCALE} of the table (autovacuum: 50 + 10%). */
    static final long THRESHOLD = 500;
    static final double SCALE = 0.1;
    /**
     * A table of this many rows or more is analyzed again only once as many rows changed as it holds: its lookups are
     * planned as index probes already, and under steady load the large tables (the log, firings, label changes) grew
     * by a tenth every few checks, so an {@code ANALYZE} of each (half a second apiece on the log) ran every 15 s,
     * 49 of them in a 90 s run of the rules benchmark, a quarter of a core of the database's time.
     */
    static final long LARGE = 100_000;
    static final double LARGE_SCALE = 1.0;

    private static final long PERIOD_SECONDS = 15;

    private final DataSource dataSource;
    private final ScheduledExecutorService timer;

    private TableStatistics(DataSource dataSource, ScheduledExecutorService timer) {
        this.dataSource = dataSource;
        this.timer = timer;
    }

    /**
     * Checks every 15 s while {@code lead} holds (one member of a cluster does it; the others would analyze the same
     * tables again). Does nothing unless the database is PostgreSQL.
     */
    public static TableStatistics keepFresh(Database database, BooleanSupplier lead) {
        if (database.dialect() != SqlDialect.POSTGRESQL) {
            return new TableStatistics(database.dataSource(), null);
        }
        ScheduledExecutorService timer = com.profilegrid.node.support.Daemons.scheduler("profilegrid-table-statistics");
        TableStatistics statistics = new TableStatistics(database.dataSource(), timer);
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (lead.getAsBoolean()) {
                    statistics.analyzeStale();
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Refreshing table statistics failed; trying again in {} s", PERIOD_SECONDS, e);
            }
        }, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
        return statistics;
    }

    /** Analyzes the tables of the node's schema that changed enough since their last analyze; returns their names. */
    public List<String> analyzeStale() throws SQLException {
        List<String> stale = Transactions.autoCommit(dataSource, connection -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
                            + "WHERE s.schemaname = current_schema() "
                            + "AND s.n_mod_since_analyze > ? + (CASE WHEN c.reltuples < ? THEN ? ELSE ? END) "
                            + "* GREATEST(c.reltuples, 0)");
                 ResultSet rows = bind(query).executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        });
        for (String table : stale) {
            long started = System.nanoTime();
            Transactions.autoCommit(dataSource, connection -> {
                try (Statement analyze = connection.createStatement()) {
                    // the name comes from the catalog; quoted as an identifier all the same
                    analyze.execute("ANALYZE \"" + table.replace("\"", "\"\"") + "\"");
                }
                return null;
            });
            LOG.debug("Analyzed {} in {} ms", table, (System.nanoTime() - started) / 1_000_000);
        }
        return stale;
    }

    private static PreparedStatement bind(PreparedStatement query) throws SQLException {
        query.setLong(1, THRESHOLD);
        query.setLong(2, LARGE);
        query.setDouble(3, SCALE);
        query.setDouble(4, LARGE_SCALE);
        return query;
    }

    @Override
    public void close() {
        if (timer != null) {
            com.profilegrid.node.support.Daemons.stop(timer);
        }
    }
}
