package com.profilegrid.node.log;

import com.profilegrid.node.store.SqlDialect;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.SortedRead;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tracking log read in {@link SortedRead.Key} order: one query, streamed, on a connection held until the read
 * ends. On PostgreSQL the query sorts only the keys (position, project and id) and then fetches each row by its
 * primary key in a nested loop, which keeps their order (docs/profile-state.md, "A rebuild reads the log by
 * visitor"; PostgreSQL, left to choose, joins back into position order, or sorts whole rows). Text is compared byte by byte ({@code COLLATE "C"}),
 * faster than the database's language collation and the same for the resuming condition as for the sort.
 */
final class SortedLogRead implements SortedRead {

    /** What {@link SortedRead.Key#idOf} computes, in SQL. */
    private static final String ID = "CASE WHEN user_id IS NOT NULL THEN 'u' || user_id "
            + "WHEN anonymous_id IS NOT NULL THEN 'a' || anonymous_id ELSE '' END";
    /** Rows fetched per round trip. */
    private static final int FETCH = 1_000;

    private final Connection connection;
    private final PreparedStatement select;
    private final ResultSet rows;
    private boolean done;

    private SortedLogRead(Connection connection, PreparedStatement select, ResultSet rows) {
        this.connection = connection;
        this.select = select;
        this.rows = rows;
    }

    static SortedLogRead open(DataSource dataSource, SqlDialect dialect, Map<Long, Long> ends,
                              Map<Long, SortedRead.Key> after, String project) throws SQLException {
        if (ends.isEmpty()) {
            throw new IllegalArgumentException("a read in key order needs at least one shard");
        }
        Map<Long, Long> shards = new TreeMap<>(ends);
        String keyProject = dialect == SqlDialect.POSTGRESQL ? "project COLLATE \"C\"" : "project";
        String keyId = dialect == SqlDialect.POSTGRESQL ? "(" + ID + ") COLLATE \"C\"" : "(" + ID + ")";
        List<String> clauses = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        shards.forEach((shard, end) -> {
            StringBuilder clause = new StringBuilder("(shard = ? AND seq <= ?");
            parameters.add(shard);
            parameters.add(end);
            SortedRead.Key from = after.get(shard);
            if (from != null) {
                // (project, id, seq) > from's, in the sort's own comparison (the shard is this one)
                clause.append(" AND (").append(keyProject).append(" > ? OR ").append(keyProject).append(" = ? AND (")
                        .append(keyId).append(" > ? OR ").append(keyId).append(" = ? AND seq > ?))");
                parameters.add(from.project());
                parameters.add(from.project());
                parameters.add(from.id());
                parameters.add(from.id());
                parameters.add(from.seq());
            }
            clauses.add(clause.append(')').toString());
        });
        String where = "(" + String.join(" OR ", clauses) + ")" + (project == null ? "" : " AND project = ?");
        if (project != null) {
            parameters.add(project);
        }
        String sql = switch (dialect) {
            // the keys are sorted in a subquery of their own (ORDER BY and OFFSET 0 keep it one): left to itself, a
            // streamed query, which runs without parallel workers, fetches every row in position order and sorts the
            // whole rows (14 s before the first row of a 1M-row log, against 2 s); the nested loop keeps the keys'
            // order, so the outer ORDER BY finds them sorted. OFFSET 0 in the row fetch keeps it a subquery run per
            // key, so the join cannot become a merge or hash join
            case POSTGRESQL -> "SELECT r.* FROM (SELECT shard, seq, " + keyProject + " AS key_project, " + keyId
                    + " AS key_id FROM tracking_log WHERE " + where + " ORDER BY 3, 4, 1, 2 OFFSET 0) keys "
                    + "CROSS JOIN LATERAL (SELECT " + LogRows.COLUMNS_TO_FOLD + " FROM tracking_log r "
                    + "WHERE r.shard = keys.shard AND r.seq = keys.seq OFFSET 0) r "
                    + "ORDER BY keys.key_project, keys.key_id, keys.shard, keys.seq";
            case H2 -> "SELECT " + LogRows.COLUMNS_TO_FOLD + " FROM tracking_log WHERE " + where + " ORDER BY project, "
                    + keyId + ", shard, seq";
        };
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false); // PostgreSQL streams a result only inside a transaction
            PreparedStatement select = connection.prepareStatement(sql);
            select.setFetchSize(FETCH);
            for (int i = 0; i < parameters.size(); i++) {
                Object parameter = parameters.get(i);
                if (parameter instanceof Long number) {
                    select.setLong(i + 1, number);
                } else {
                    select.setString(i + 1, (String) parameter);
                }
            }
            return new SortedLogRead(connection, select, select.executeQuery());
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public List<LogRecord> next(int limit) {
        List<LogRecord> records = new ArrayList<>(Math.min(limit, FETCH));
        try {
            while (!done && records.size() < limit) {
                if (rows.next()) {
                    records.add(LogRows.read(rows));
                } else {
                    done = true;
                }
            }
        } catch (SQLException e) {
            throw new TrackingLogException("cannot read the tracking log by visitor", e);
        }
        return records;
    }

    @Override
    public void close() {
        try (Connection c = connection; PreparedStatement s = select; ResultSet r = rows) {
            c.rollback(); // it only read
        } catch (SQLException e) {
            throw new TrackingLogException("cannot close a read of the tracking log by visitor", e);
        }
    }
}
