package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.GenerationRows;
import com.profilegrid.node.store.MetaTable;
import com.profilegrid.pipelines.state.StatePipeline;
import com.profilegrid.pipelines.fold.FoldSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Rebuilds the profiles of every project, or of one, from the tracking log while the system serves: a second profile
 * job reads the log from its start (that project's events only, for one) into a new generation's maps and keeps
 * applying live events; once every member reports it applied every event the log held when it started
 * ({@link AppliedPositions}), readers switch to it and the old job and maps are retired (for one project: its entries
 * leave the shared maps, and the shared job skips its events from then on), and so are the old generation's rows. The
 * new generation writes and loads rows of its own from its start ({@code generation} column), so it may evict like the
 * one readers use, and it needs no copy to the database at the switch. Ingest and reads go on throughout; readers see the old,
 * complete profiles until the switch and the new, complete ones after it.
 *
 * <p>One rebuild runs at a time in the cluster: it holds a lock on the meta map while it runs (released if its
 * member leaves; the nodes' job watchdogs then retire what it left half built).
 */
public final class ProfileRebuild implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileRebuild.class);
    private static final long CHECK_MILLIS = 1_000;
    /** After the switch, how long the older generations' jobs get to see it before their entries are removed. */
    private static final long SETTLE_MILLIS = 2_500;
    /** The executor service a rebuild asks the members through. */
    private static final String EXECUTOR = "profilegrid-rebuild";
    /** How many times a rebuild resumes its job after an error suspended it (see {@link RebuildJobWatch}). */
    private static final int RESUMES = 5;

    private final HazelcastInstance member;
    private final Database database;
    private final FoldSettings settings;
    private volatile RebuildStatus status = RebuildStatus.IDLE;
    private Thread worker;

    public ProfileRebuild(HazelcastInstance member, Database database, FoldSettings settings) {
        this.member = member;
        this.database = database;
        this.settings = settings;
    }

    public RebuildStatus status() {
        return status;
    }

    /**
     * Starts rebuilding every project ({@code project} null) or one, unless a rebuild runs on this node, and
     * answers its status; a rebuild running on another node makes this one FAILED at once, saying so.
     */
    public synchronized RebuildStatus start(String project) throws InterruptedException {
        if (status.running()) {
            return status;
        }
        CountDownLatch locked = new CountDownLatch(1);
        status = new RebuildStatus("CATCHING_UP", project, 0, 0, 0, 0, 0, -1, "starting");
        worker = new Thread(() -> run(project, locked), "profilegrid-rebuild");
        worker.setDaemon(true);
        worker.start();
        locked.await();
        return status;
    }

    private void run(String project, CountDownLatch locked) {
        IMap<String, Integer> meta = Generation.meta(member);
        if (!meta.tryLock(GenerationSwitch.REBUILD_LOCK)) {
            status = status.with("FAILED", "another rebuild is running in the cluster; try again when it is done");
            locked.countDown();
            return;
        }
        Generation to = null;
        boolean switched = false;
        try {
            Map<Generation, String> before = ProfileJob.live(member);
            Generation from = project == null ? Generation.active(member) : Generation.active(member, project);
            to = GenerationSwitch.reserveNext(member, new MetaTable(database.dataSource()));
            status = new RebuildStatus("CATCHING_UP", project, from.number(), to.number(), 0, 0, 0, -1,
                    "starting " + to.jobName());
            locked.countDown();
            Job job = ProfileJob.start(member, to, project, settings);
            catchUp(project, to, job);
            status = status.with("SWITCHING", "switching readers to generation " + to.number());
            if (project == null) {
                GenerationSwitch.activate(member, to, new MetaTable(database.dataSource()));
            } else {
                GenerationSwitch.activate(member, to, project, new MetaTable(database.dataSource()));
            }
            switched = true;
            // the jobs of the older generations follow the switch through a listener on each member: give the events
            // they have in flight time to pass before the project's entries leave their maps
            Thread.sleep(SETTLE_MILLIS);
            retire(before, from, project);
            int deleted = new GenerationRows(database.dataSource()).deleteRetired();
            LOG.info("Rebuild: {} rows of generations no longer in use deleted", deleted);
            status = status.with("DONE", "readers " + (project == null ? "" : "of project " + project + " ")
                    + "use generation " + to.number() + "; generation " + from.number() + " retired"
                    + (project == null ? "" : " for it"));
            LOG.info("Rebuild done: {}", status.message());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(to, switched, "interrupted");
        } catch (RuntimeException | SQLException e) {
            failed(to, switched, e instanceof IllegalStateException ? e.getMessage() : e.toString());
            LOG.error("Rebuild failed", e);
        } finally {
            locked.countDown();
            meta.unlock(GenerationSwitch.REBUILD_LOCK);
        }
    }

    /** Before the switch, the half-built generation is dropped; after it, readers keep the new one. */
    private void failed(Generation to, boolean switched, String why) {
        if (to != null && !switched) {
            try {
                ProfileJob.retire(member, to);
                new GenerationRows(database.dataSource()).delete(to.number());
            } catch (RuntimeException e) {
                LOG.warn("Could not retire the unfinished generation {}; the job watchdog will", to.number(), e);
            }
        }
        status = status.with("FAILED", why + (switched ? " (after readers switched to the new generation; rows of the "
                + "generation they used before may be left in the database until the next rebuild)" : ""));
    }

    private void catchUp(String project, Generation to, Job job) throws InterruptedException, SQLException {
        long lastRead = 0;
        long lastCheck = System.nanoTime();
        Map<Long, Long> logEnds = logEnds(project);
        long inLogAtStart = logEnds.isEmpty() ? 0 : eventsInLog(project);
        RebuildJobWatch watch = new RebuildJobWatch(job, RESUMES);
        while (true) {
            Thread.sleep(CHECK_MILLIS);
            if (!watch.check()) {
                continue;
            }
            long inLog = eventsInLog(project);
            long read = Math.max(lastRead, ProfileJob.eventsRead(job));
            if (read > lastRead) {
                watch.progressed();
            }
            long now = System.nanoTime();
            double rate = (read - lastRead) / ((now - lastCheck) / 1e9);
            long eta = rate > 0 ? (long) Math.ceil(Math.max(0, inLog - read) / rate) : -1;
            status = status.progress(read, inLog, rate, eta, "reading the tracking log");
            LOG.info("Rebuild of generation {}: {} of {} events read, {} events/s, ETA {} s", to.number(), read, inLog,
                    Math.round(rate), eta);
            lastRead = read;
            lastCheck = now;
            // Jet publishes the read count every few seconds, so under steady ingest it always trails the log: once
            // the job has read what the log held at the start, ask the members how far it has applied, shard by shard
            if (read >= inLogAtStart && caughtUp(to, logEnds)) {
                return;
            }
        }
    }

    /** Whether the job of {@code to} has applied, on every member together, each shard up to {@code logEnds}. */
    private boolean caughtUp(Generation to, Map<Long, Long> logEnds) throws InterruptedException {
        Map<Long, Long> applied = new HashMap<>();
        try {
            for (java.util.concurrent.Future<Map<Long, Long>> answer : member.getExecutorService(EXECUTOR)
                    .submitToAllMembers(new AppliedPositions(to.jobName())).values()) {
                answer.get().forEach((shard, seq) -> applied.merge(shard, seq, Math::max));
            }
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("Rebuild: could not ask every member how far the job of generation {} is; asking again",
                    to.number(), e);
            return false;
        }
        return logEnds.entrySet().stream().allMatch(end -> applied.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    /** The last position of each log shard (holding the project's events, for one project's rebuild). */
    private Map<Long, Long> logEnds(String project) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement ends = connection.prepareStatement("SELECT shard, MAX(seq) FROM tracking_log"
                     + (project == null ? "" : " WHERE project = ?") + " GROUP BY shard")) {
            if (project != null) {
                ends.setString(1, project);
            }
            Map<Long, Long> last = new HashMap<>();
            try (ResultSet rows = ends.executeQuery()) {
                while (rows.next()) {
                    last.put(rows.getLong(1), rows.getLong(2));
                }
            }
            return last;
        }
    }

    private long eventsInLog(String project) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM tracking_log"
                     + (project == null ? "" : " WHERE project = ?"))) {
            if (project != null) {
                count.setString(1, project);
            }
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /**
     * After a rebuild of every project, every generation readers used before is retired. After one project's,
     * the generation it had of its own is; or, when it read the shared one, its entries leave the shared maps
     * (which no longer store them, and whose job skips the project's events from now on).
     */
    private void retire(Map<Generation, String> before, Generation from, String project) {
        if (project == null) {
            before.keySet().forEach(generation -> ProfileJob.retire(member, generation));
        } else if (project.equals(before.get(from))) {
            ProfileJob.retire(member, from);
        } else {
            OfProject entries = new OfProject(project);
            member.getMap(from.profilesMap()).removeAll(entries);
            member.getMap(from.idsMap()).removeAll(entries);
            member.getMap(StatePipeline.Maps.rawIdsMap(from)).removeAll(entries);
            member.getMap(StatePipeline.Maps.statesMap(from)).removeAll(entries);
        }
    }

    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.interrupt();
        }
    }
}
