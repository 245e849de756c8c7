package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.model.Generation;
import com.profilegrid.node.rebuild.GenerationSwitch;
import com.profilegrid.node.support.Partitions;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.profile.DurableProgress;
import com.profilegrid.pipelines.identity.ProjectLink;
import com.profilegrid.pipelines.state.StatePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The member's {@link DurableProgress}, in the database: the positions of each profile job whose effects are stored
 * ({@code log_positions}) and the identity links the graphs followed ({@code identity_links}, read back by id through
 * its primary key, led by {@code id_a}, and its {@code (id_b, project)} index).
 *
 * <p>The job's source tells which positions are applied in memory ({@link #applied}); a checkpoint every
 * {@link #CHECKPOINT_PERIOD_SECONDS} stores them, after it has stored what the job's state maps hold ({@code flush}):
 * the positions it read were applied before the flush began, so their effects are in the tables when the positions
 * are. Only a live generation's job is stored this way (a rebuild's maps store nothing until it is switched to), and no
 * checkpoint runs while a rebuild holds its lock (its switch stores the new generation's maps itself).
 */
public final class DurableProgressStore implements DurableProgress {

    /** How often applied positions are stored (the job's snapshots, a second apart, tell them). */
    public static final long CHECKPOINT_PERIOD_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(DurableProgressStore.class);

    private final DataSource dataSource;
    private final SqlDialect dialect;
    /** Checkpoints skipped in a row. */
    private int skipped;
    /** Applied positions per job, not stored yet. */
    private final Map<String, Map<Long, Long>> pending = new ConcurrentHashMap<>();
    /** Per job, the highest position per shard this member's source processors reported applied (kept, not stored). */
    private final Map<String, Map<Long, Long>> highest = new ConcurrentHashMap<>();

    /** Holds a rebuild put on this member's sources of the jobs it switches readers away from. */
    private final com.profilegrid.node.rebuild.SourceHolds holds = new com.profilegrid.node.rebuild.SourceHolds();

    public DurableProgressStore(DataSource dataSource, SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    @Override
    public Map<Long, Long> positions(String job) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT shard, seq FROM log_positions WHERE job = ?")) {
                    select.setString(1, job);
                    Map<Long, Long> positions = new HashMap<>();
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            positions.put(rows.getLong(1), rows.getLong(2));
                        }
                    }
                    return positions;
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot read the stored log positions of " + job, e);
        }
    }

    @Override
    public void applied(String job, Map<Long, Long> applied) {
        Map<Long, Long> held = pending.computeIfAbsent(job, name -> new ConcurrentHashMap<>());
        applied.forEach((shard, seq) -> held.merge(shard, seq, Math::max));
        Map<Long, Long> high = highest.computeIfAbsent(job, name -> new ConcurrentHashMap<>());
        applied.forEach((shard, seq) -> high.merge(shard, seq, Math::max));
    }

    public com.profilegrid.node.rebuild.SourceHolds holds() {
        return holds;
    }

    @Override
    public boolean held(String job) {
        return holds.held(job);
    }

    @Override
    public void holding(String job, int index, int parallelism, Map<Long, Long> cursors) {
        holds.holding(job, index, parallelism, cursors);
    }

    /**
     * The highest position per shard up to which this member's source processors of {@code job} have reported every
     * event applied to the job's maps (in memory): how far a rebuild has come, whatever its maps evicted.
     */
    public Map<Long, Long> appliedSoFar(String job) {
        return new HashMap<>(highest.getOrDefault(job, Map.of()));
    }

    /** The {@code log_positions} row that holds the newest epoch handed out to the identity graphs (shard 0). */
    static final String EPOCHS_ROW = "identity-epochs";

    @Override
    public long nextEpoch(long atLeast, long span) {
        long newest = positions(EPOCHS_ROW).getOrDefault(0L, 0L);
        long epoch = Math.max(atLeast, newest + span);
        store(EPOCHS_ROW, Map.of(0L, epoch));
        // a processor starting at the same moment may take the same epoch: each project's graph is one processor's
        return epoch;
    }

    @Override
    public void saveLinks(Collection<ProjectLink> given) {
        // one row per pair in a statement (PostgreSQL refuses to upsert a row twice in one command): the earliest
        Map<List<String>, ProjectLink> earliest = new HashMap<>();
        for (ProjectLink seed : given) {
            earliest.merge(List.of(seed.project(), seed.link().a(), seed.link().b()), seed,
                    (one, other) -> Link.DECISION_ORDER.compare(one.link(), other.link()) <= 0 ? one : other);
        }
        Collection<ProjectLink> links = earliest.values();
        String upsert = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO identity_links (project, id_a, id_b, at_ms, message_id) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (project, id_a, id_b) DO UPDATE SET at_ms = EXCLUDED.at_ms, message_id = EXCLUDED.message_id "
                    + "WHERE EXCLUDED.at_ms < identity_links.at_ms OR (EXCLUDED.at_ms = identity_links.at_ms "
                    + "AND EXCLUDED.message_id < identity_links.message_id)";
            case H2 -> "MERGE INTO identity_links t USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)), "
                    + "CAST(? AS VARCHAR(256)), CAST(? AS BIGINT), CAST(? AS VARCHAR(256)))) s(project, id_a, id_b, at_ms, "
                    + "message_id) ON t.project = s.project AND t.id_a = s.id_a AND t.id_b = s.id_b "
                    + "WHEN MATCHED AND (s.at_ms < t.at_ms OR (s.at_ms = t.at_ms AND s.message_id < t.message_id)) "
                    + "THEN UPDATE SET at_ms = s.at_ms, message_id = s.message_id "
                    + "WHEN NOT MATCHED THEN INSERT (project, id_a, id_b, at_ms, message_id) "
                    + "VALUES (s.project, s.id_a, s.id_b, s.at_ms, s.message_id)";
        };
        try {
            Transactions.batch(dataSource, upsert, links, (statement, seed) -> {
                Link link = seed.link();
                statement.setString(1, seed.project());
                statement.setString(2, link.a());
                statement.setString(3, link.b());
                statement.setLong(4, link.at().toEpochMilli());
                statement.setString(5, link.messageId());
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot record " + links.size() + " identity link(s)", e);
        }
    }

    @Override
    public List<ProjectLink> linksTouching(String project, Collection<String> ids) {
        // PostgreSQL: one lookup per id in the index led by that end's id (V8), whatever the statistics say (OFFSET 0
        // keeps the lateral subquery from being flattened). With a join, statistics taken while the table was small
        // made it fetch every link of the project and hash them: 0.35 s for 200 ids against 95,000 links.
        String select = switch (dialect) {
            case POSTGRESQL -> "SELECT t.id_a, t.id_b, t.at_ms, t.message_id FROM UNNEST(?) AS k(id), LATERAL "
                    + "(SELECT id_a, id_b, at_ms, message_id FROM identity_links WHERE project = ? AND id_a = k.id "
                    + "OFFSET 0) t UNION SELECT t.id_a, t.id_b, t.at_ms, t.message_id FROM UNNEST(?) AS k(id), LATERAL "
                    + "(SELECT id_a, id_b, at_ms, message_id FROM identity_links WHERE project = ? AND id_b = k.id "
                    + "OFFSET 0) t";
            case H2 -> "SELECT t.id_a, t.id_b, t.at_ms, t.message_id FROM UNNEST(?) AS k(id) JOIN identity_links t "
                    + "ON t.project = ? AND t.id_a = k.id UNION SELECT t.id_a, t.id_b, t.at_ms, t.message_id "
                    + "FROM UNNEST(?) AS k(id) JOIN identity_links t ON t.project = ? AND t.id_b = k.id";
        };
        Transactions.Work<List<ProjectLink>> query = connection -> {
            if (dialect == SqlDialect.POSTGRESQL) {
                // a plan made while the table was nearly empty scans it for every id (seconds per batch once it has
                // grown; seen with a cached plan of a prepared statement): index lookups whatever the plan cache holds.
                // Bitmap scans too: once one user has most of a project's links (a test user signed in from 100,000
                // devices), the statistics say an id has tens of thousands of links, and the planner read the whole
                // project through the other index for every id (13 ms each, 0.4 s per batch instead of 0.3 ms)
                try (Statement set = connection.createStatement()) {
                    set.execute("SET LOCAL enable_seqscan = off");
                    set.execute("SET LOCAL enable_bitmapscan = off");
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(select)) {
                java.sql.Array array = connection.createArrayOf("VARCHAR", ids.toArray());
                statement.setArray(1, array);
                statement.setString(2, project);
                statement.setArray(3, array);
                statement.setString(4, project);
                List<ProjectLink> links = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        links.add(new ProjectLink(project, new Link(rows.getString(1), rows.getString(2),
                                Instant.ofEpochMilli(rows.getLong(3)), rows.getString(4))));
                    }
                }
                return links;
            }
        };
        try {
            return dialect == SqlDialect.POSTGRESQL ? Transactions.inTransaction(dataSource, query)
                    : Transactions.autoCommit(dataSource, query);
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot read the recorded identity links of " + ids.size() + " id(s)", e);
        }
    }

    /**
     * Stores the applied positions of the jobs of {@code live} generations, after storing what their state maps hold.
     * Positions of other jobs (a rebuild's, before its switch) stay pending until theirs is live.
     */
    public void checkpoint(HazelcastInstance member, Set<Generation> live) {
        // not while a rebuild switches generations, nor while partitions move: a flush's backups clear the
        // write-behind queues of the partitions' next owners whether the store succeeded or not
        if (Generation.meta(member).isLocked(GenerationSwitch.REBUILD_LOCK)
                || !Partitions.settled(member)) {
            if (++skipped % 6 == 0) {
                LOG.info("The profile job's positions have not been stored for {} checkpoints (a rebuild switching, or "
                        + "partitions migrating): a full restart now would replay more of the log", skipped);
            }
            return;
        }
        skipped = 0;
        for (Generation generation : live) {
            Map<Long, Long> held = pending.get(generation.jobName());
            if (held == null || held.isEmpty()) {
                continue;
            }
            Map<Long, Long> positions = new HashMap<>(held);
            StatePipeline.Maps.flushState(member, generation);
            store(generation.jobName(), positions);
            positions.forEach((shard, seq) -> held.remove(shard, seq));
        }
    }

    /**
     * The positions applied so far in the jobs of {@code live} generations, to store once a flush that starts after
     * this call has finished: what the last member of a cluster runs around its final flush, so that a full restart
     * replays as little as possible.
     */
    public Runnable storeAfterFlush(Set<Generation> live) {
        Map<String, Map<Long, Long>> taken = new HashMap<>();
        for (Generation generation : live) {
            Map<Long, Long> held = pending.get(generation.jobName());
            if (held != null && !held.isEmpty()) {
                taken.put(generation.jobName(), new HashMap<>(held));
            }
        }
        return () -> taken.forEach(this::store);
    }

    /** Checks every {@link #CHECKPOINT_PERIOD_SECONDS} until closed; {@code live} names the live generations. */
    public AutoCloseable checkpointEvery(HazelcastInstance member, Supplier<Set<Generation>> live) {
        ScheduledExecutorService timer = com.profilegrid.node.support.Daemons.scheduler("profilegrid-checkpoint");
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (member.getLifecycleService().isRunning()) {
                    checkpoint(member, live.get());
                }
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted() || !member.getLifecycleService().isRunning()
                        || interrupted(e)) {
                    // the node is stopping: the last member stores its positions itself, after its final flush
                    LOG.debug("Checkpoint cut short by the node stopping", e);
                } else {
                    LOG.warn("Storing the profile job's positions failed; trying again at the next checkpoint: {}",
                            e.toString());
                }
            }
        }, CHECKPOINT_PERIOD_SECONDS, CHECKPOINT_PERIOD_SECONDS, TimeUnit.SECONDS);
        // a checkpoint under way when the node stops ends before close returns (bounded), so it never runs on into
        // the database the node closes next (the pool then logged a connection broken by the closed database)
        return () -> com.profilegrid.node.support.Daemons.stop(timer);
    }

    /** Whether {@code e} comes of an interrupt (the timer shut down while a checkpoint ran). */
    private static boolean interrupted(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    void store(String job, Map<Long, Long> positions) {
        String upsert = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO log_positions (job, shard, seq) VALUES (?, ?, ?) ON CONFLICT (job, shard) "
                    + "DO UPDATE SET seq = GREATEST(log_positions.seq, EXCLUDED.seq)";
            case H2 -> "MERGE INTO log_positions t USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS BIGINT), "
                    + "CAST(? AS BIGINT))) s(job, shard, seq) ON t.job = s.job AND t.shard = s.shard "
                    + "WHEN MATCHED AND s.seq > t.seq THEN UPDATE SET seq = s.seq "
                    + "WHEN NOT MATCHED THEN INSERT (job, shard, seq) VALUES (s.job, s.shard, s.seq)";
        };
        try {
            Transactions.batch(dataSource, upsert, positions.entrySet(), (statement, position) -> {
                statement.setString(1, job);
                statement.setLong(2, position.getKey());
                statement.setLong(3, position.getValue());
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store the log positions of " + job, e);
        }
    }
}
