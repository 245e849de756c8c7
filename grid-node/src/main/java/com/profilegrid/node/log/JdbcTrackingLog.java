package com.profilegrid.node.log;

import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.SortedRead;

import com.profilegrid.model.GridMaps;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.SqlDialect;
import com.profilegrid.node.store.SqlRetries;
import com.profilegrid.node.store.Transactions;
import com.profilegrid.node.support.GroupCommitter;
import io.github.resilience4j.retry.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tracking log in a relational database (H2 or PostgreSQL). Each instance is one writer: it opens a
 * shard of its own and numbers that shard's rows itself, committing batches in order from a single
 * group-commit thread, so seq order within a shard is commit order.
 */
public final class JdbcTrackingLog implements TrackingLog {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTrackingLog.class);
    private static final String UNIQUE_VIOLATION = "23505";
    /** Two writers raced on one message id: the retry sees the other's committed row and skips it. */
    private static final Retry ON_RACE = SqlRetries.onStates("tracking-log-commit", 3, Duration.ZERO,
            Set.of(UNIQUE_VIOLATION));
    /** Two writers took the same next shard number: the retry takes the one after. */
    private static final Retry ON_SHARD_RACE = SqlRetries.onStates("tracking-log-shard", 10, Duration.ZERO,
            Set.of(UNIQUE_VIOLATION));

    private final DataSource dataSource;
    private final SqlDialect dialect;
    /** Makes a commit durable where the database's commit alone is not (an fsync on H2). */
    private final Transactions.AfterCommit afterCommit;
    private final Clock clock;
    private final String writerName;
    private final long shard;
    private volatile boolean shardOpen = true;
    private final GroupCommitter<TrackingEvent> writer;
    private long nextSeq = 1;
    /** After a failed commit its outcome may be unknown: re-read the shard's last seq before the next one. */
    private boolean resync;
    /** Commits by this writer, for readers on this member ({@link #localCommits()}). */
    private final AtomicLong commits = new AtomicLong();

    /**
     * @param writerName names this writer in {@code log_shards} (node address, for operators)
     * @param maxBatch   most events per commit
     * @param maxQueued  most events waiting to commit before appends fail fast
     */
    public JdbcTrackingLog(Database database, Clock clock, String writerName, int maxBatch, int maxQueued) {
        this.dataSource = database.dataSource();
        this.dialect = database.dialect();
        this.afterCommit = database.afterLogCommit();
        this.clock = clock;
        this.writerName = writerName;
        this.shard = openShard(writerName);
        this.writer = new GroupCommitter<>("profilegrid-log-writer-" + shard, maxBatch, maxQueued, this::commit);
        LOG.info("Tracking log writer {} opened shard {}", writerName, shard);
    }

    @Override
    public long localShard() {
        return shard;
    }

    @Override
    public long localCommits() {
        return commits.get();
    }

    @Override
    public CompletableFuture<Void> append(List<TrackingEvent> events) {
        return writer.submit(events);
    }

    /** Runs on the writer thread only. */
    private void commit(List<TrackingEvent> events) throws SQLException {
        List<TrackingEvent> unique = withoutRepeats(events);
        SqlRetries.call(ON_RACE, () -> {
            try {
                if (resync) {
                    nextSeq = lastSeq() + 1;
                    resync = false;
                }
                nextSeq = insert(unique, nextSeq);
                commits.incrementAndGet();
                return null;
            } catch (SQLException e) {
                resync = true;
                throw e;
            }
        });
    }

    private long insert(List<TrackingEvent> events, long firstSeq) throws SQLException {
        return Transactions.inTransaction(dataSource, connection -> {
            lockOpenShard(connection);
            long seq = firstSeq;
            try (PreparedStatement insert = connection.prepareStatement(insertIgnoringDuplicates())) {
                for (TrackingEvent event : events) {
                    int first = 1;
                    if (dialect == SqlDialect.H2) {
                        insert.setString(1, event.project());
                        insert.setString(2, event.messageId());
                        first = 3;
                    }
                    LogRows.bind(insert, first, shard, seq++, event);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return seq;
        }, afterCommit);
    }

    private long lastSeq() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT COALESCE(MAX(seq), 0) FROM tracking_log WHERE shard = ?")) {
            select.setLong(1, shard);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private String insertIgnoringDuplicates() {
        return switch (dialect) {
            case POSTGRESQL -> "INSERT INTO tracking_log (" + LogRows.COLUMNS + ") VALUES (" + LogRows.PLACEHOLDERS
                    + ") ON CONFLICT (project, message_id) DO NOTHING";
            case H2 -> "MERGE INTO tracking_log t USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)))) "
                    + "s(project, message_id) ON t.project = s.project AND t.message_id = s.message_id "
                    + "WHEN NOT MATCHED THEN INSERT (" + LogRows.COLUMNS + ") VALUES (" + LogRows.PLACEHOLDERS + ")";
        };
    }

    private static List<TrackingEvent> withoutRepeats(List<TrackingEvent> events) {
        Set<String> seen = new HashSet<>();
        List<TrackingEvent> unique = new ArrayList<>(events.size());
        for (TrackingEvent event : events) {
            if (seen.add(GridMaps.projectKey(event.project(), event.messageId()))) {
                unique.add(event);
            }
        }
        return unique;
    }

    @Override
    public List<Shard> listShards() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT shard, closed_ms FROM log_shards ORDER BY shard");
             ResultSet rows = select.executeQuery()) {
            List<Shard> shards = new ArrayList<>();
            while (rows.next()) {
                long id = rows.getLong(1);
                rows.getLong(2);
                shards.add(new Shard(id, !rows.wasNull()));
            }
            return shards;
        } catch (SQLException e) {
            throw new TrackingLogException("cannot list log shards", e);
        }
    }

    @Override
    public List<LogRecord> read(long fromShard, long afterSeq, int limit, String project) {
        return read(LogRows.COLUMNS, fromShard, afterSeq, limit, project);
    }

    @Override
    public List<LogRecord> readToFold(long fromShard, long afterSeq, int limit, String project) {
        return read(LogRows.COLUMNS_TO_FOLD, fromShard, afterSeq, limit, project);
    }

    @Override
    public Map<Long, Long> lastPositions(String project) {
        return lastPositions(dataSource, project);
    }

    /**
     * The last position of each shard of the log in {@code dataSource} that holds events (of {@code project} only).
     * One lookup per shard, from the end of its primary key: a {@code GROUP BY shard} over the log read every row (5 s
     * for a 1M-row log on PostgreSQL, against 2 ms), and each source processor of a rebuild asks this once.
     */
    public static Map<Long, Long> lastPositions(DataSource dataSource, String project) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ends = connection.prepareStatement("SELECT s.shard, (SELECT MAX(t.seq) FROM "
                     + "tracking_log t WHERE t.shard = s.shard" + (project == null ? "" : " AND t.project = ?")
                     + ") FROM log_shards s")) {
            if (project != null) {
                ends.setString(1, project);
            }
            Map<Long, Long> last = new HashMap<>();
            try (ResultSet rows = ends.executeQuery()) {
                while (rows.next()) {
                    long end = rows.getLong(2);
                    if (!rows.wasNull()) {
                        last.put(rows.getLong(1), end);
                    }
                }
            }
            return last;
        } catch (SQLException e) {
            throw new TrackingLogException("cannot read where the log's shards end", e);
        }
    }

    @Override
    public SortedRead readSorted(Map<Long, Long> ends, Map<Long, SortedRead.Key> after, String project) {
        try {
            return SortedLogRead.open(dataSource, dialect, ends, after, project);
        } catch (SQLException e) {
            throw new TrackingLogException("cannot read the tracking log by visitor", e);
        }
    }

    private List<LogRecord> read(String columns, long fromShard, long afterSeq, int limit, String project) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + columns
                     + " FROM tracking_log WHERE shard = ? AND seq > ?" + (project == null ? "" : " AND project = ?")
                     + " ORDER BY seq LIMIT ?")) {
            int at = 1;
            select.setLong(at++, fromShard);
            select.setLong(at++, afterSeq);
            if (project != null) {
                select.setString(at++, project);
            }
            select.setInt(at, limit);
            try (ResultSet rows = select.executeQuery()) {
                List<LogRecord> records = new ArrayList<>();
                while (rows.next()) {
                    records.add(LogRows.read(rows));
                }
                return records;
            }
        } catch (SQLException e) {
            throw new TrackingLogException("cannot read log shard " + fromShard, e);
        }
    }

    private long openShard(String writerName) {
        try {
            return SqlRetries.call(ON_SHARD_RACE, () -> {
                try (Connection connection = dataSource.getConnection()) {
                    long next;
                    try (PreparedStatement max = connection.prepareStatement(
                            "SELECT COALESCE(MAX(shard), 0) + 1 FROM log_shards"); ResultSet row = max.executeQuery()) {
                        row.next();
                        next = row.getLong(1);
                    }
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO log_shards (shard, writer, opened_ms) VALUES (?, ?, ?)")) {
                        insert.setLong(1, next);
                        insert.setString(2, writerName);
                        insert.setLong(3, clock.millis());
                        insert.executeUpdate();
                    }
                    return next;
                }
            });
        } catch (SQLException e) {
            throw new TrackingLogException("cannot open a log shard", e);
        }
    }

    /**
     * Closes the shards an earlier run of this writer left open (it was killed, or lost its database before it
     * could close them). Readers stop polling a closed shard once they have read it to its end. Call it only once
     * this process has proved that the earlier run is gone: a writer is named by its node's address, so the node
     * holding that address's member port (and its data directory's lock) is the only one that may.
     */
    public void closeAbandonedShards() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE log_shards SET closed_ms = ? WHERE writer = ? AND closed_ms IS NULL AND shard < ?")) {
            update.setLong(1, clock.millis());
            update.setString(2, writerName);
            update.setLong(3, shard);
            int closed = update.executeUpdate();
            if (closed > 0) {
                LOG.info("Closed {} log shard(s) an earlier run of writer {} left open", closed, writerName);
            }
        } catch (SQLException e) {
            // harmless to leave: readers keep polling those shards, which stay empty; the next start tries again
            LOG.warn("Could not close the log shards an earlier run of writer {} left open", writerName, e);
        }
    }

    /** False once this writer's own shard was found closed by someone else: what it commits then, no reader reads. */
    public boolean isShardOpen() {
        return shardOpen;
    }

    /**
     * In the commit's transaction: locks this writer's shard row and fails the commit if the shard is closed. Closing a
     * shard updates that row, so it waits for a commit in flight, and no commit lands in a shard after it is closed
     * (a reader that has read a closed shard to its end has read all of it).
     */
    private void lockOpenShard(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT closed_ms FROM log_shards WHERE shard = ? FOR UPDATE")) {
            select.setLong(1, shard);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                row.getLong(1);
                if (row.wasNull()) {
                    return;
                }
            }
        }
        if (shardOpen) {
            shardOpen = false;
            LOG.error("Log shard {} of writer {} was closed by another process: events committed to it would never be "
                    + "read. This node stops reporting ready and takes events into its spool (replayed into a new "
                    + "shard when it restarts). Is another node running with this address?", shard, writerName);
        }
        throw new ShardClosedException("log shard " + shard + " was closed under this writer; nobody would read "
                + "events committed to it");
    }

    /** This writer's shard was closed under it. */
    static final class ShardClosedException extends SQLException {
        ShardClosedException(String message) {
            super(message);
        }
    }

    /** Commits what is queued, then marks the shard closed. */
    @Override
    public void close() {
        writer.close();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE log_shards SET closed_ms = ? WHERE shard = ?")) {
            update.setLong(1, clock.millis());
            update.setLong(2, shard);
            update.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("Could not mark log shard {} closed", shard, e);
        }
    }
}
