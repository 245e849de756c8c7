package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.log.JdbcTrackingLog;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.GenerationRows;
import com.profilegrid.node.store.MetaTable;
import com.profilegrid.node.support.CostBoundedFigure;
import com.profilegrid.pipelines.state.StatePipeline;
import com.profilegrid.pipelines.fold.FoldSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Rebuilds the profiles of every project, or of one, from the tracking log while the system serves: a second profile
 * job reads the log from its start (that project's events only, for one) into a new generation's maps and keeps
 * applying live events; once every member reports it applied every event the log held when it started
 * ({@link AppliedPositions}), the old jobs are held ({@link SourceHold}: their sources read no further) until it has
 * applied what they read, readers switch to it and the old job and maps are retired (for one project: its entries
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
    /** How long the cluster may fail to say how far the job is (members leaving, joining) before the rebuild fails. */
    private static final Duration UNANSWERED = Duration.ofMinutes(2);
    /** After the switch, how long the older generations' jobs get to see it before their entries are removed. */
    private static final long SETTLE_MILLIS = 2_500;
    /** The executor service a rebuild asks the members through. */
    private static final String EXECUTOR = "profilegrid-rebuild";
    /**
     * How long the jobs of the generations readers leave are held at most (each member lets go of its hold after this,
     * should the rebuild's member die holding it).
     */
    private static final java.time.Duration HOLD = java.time.Duration.ofSeconds(60);
    /** How long a rebuild waits, holding them, for its job to apply what they read, before it switches anyway. */
    private static final java.time.Duration HOLD_WAIT = java.time.Duration.ofSeconds(30);
    private static final long HOLD_CHECK_MILLIS = 200;
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
            List<String> leaving = project == null
                    ? before.keySet().stream().map(Generation::jobName).toList() : List.of(from.jobName());
            status = status.with("SWITCHING", "holding the jobs readers leave until generation " + to.number()
                    + " has applied what they read");
            try {
                askAll(SourceHold.hold(leaving, HOLD));
                reachHeld(project, to, leaving);
                status = status.with("SWITCHING", "switching readers to generation " + to.number());
                if (project == null) {
                    GenerationSwitch.activate(member, to, new MetaTable(database.dataSource()));
                } else {
                    GenerationSwitch.activate(member, to, project, new MetaTable(database.dataSource()));
                }
                switched = true;
                // the jobs of the older generations follow the switch through a listener on each member: give the
                // events they have in flight time to pass before the project's entries leave their maps
                Thread.sleep(SETTLE_MILLIS);
                retire(before, from, project);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("could not hold the jobs readers leave on every member: " + e, e);
            } finally {
                releaseQuietly(leaving);
            }
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
        CostBoundedFigure<Long> projectEvents = new CostBoundedFigure<>();
        // one project's count at the start is its progress figure's first measurement, not a second count
        long inLogAtStart = logEnds.isEmpty() ? 0
                : project == null ? eventsInLog(null) : projectEvents.get(() -> eventsInLog(project));
        RebuildJobWatch watch = new RebuildJobWatch(job, RESUMES);
        long unansweredSince = 0;
        while (true) {
            Thread.sleep(CHECK_MILLIS);
            long readNow;
            try {
                if (!watch.check()) {
                    continue;
                }
                readNow = ProfileJob.eventsRead(job);
                unansweredSince = 0;
            } catch (HazelcastException e) {
                // a member just left or joined: Jet answers for the job again once the cluster settles, and the job
                // goes on from its snapshot (a member lost is what a rebuild must live through, not fail on)
                long now = System.nanoTime();
                unansweredSince = unansweredSince == 0 ? now : unansweredSince;
                if (now - unansweredSince > UNANSWERED.toNanos()) {
                    throw new IllegalStateException("the cluster has not said how far the rebuild job is for "
                            + UNANSWERED.toSeconds() + " s: " + e, e);
                }
                LOG.info("Rebuild of generation {}: the cluster cannot tell how far the job is for now ({}); asking "
                        + "again", to.number(), e.toString());
                continue;
            }
            long inLog = eventsInLogNow(project, inLogAtStart, logEnds, projectEvents);
            long read = Math.max(lastRead, readNow);
            boolean moved = read > lastRead;
            if (moved) {
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
            // the job has read what the log held at the start, ask the members how far it has applied, shard by shard.
            // Ask too when the count stands still: a job restarted from its snapshot counts only what it reads after
            // it, so its count may never reach the log's
            if ((read >= inLogAtStart || !moved) && caughtUp(to, logEnds)) {
                return;
            }
        }
    }

    /**
     * Waits until every source processor of the {@code leaving} jobs has stopped and said where, then until the job of
     * {@code to} has applied each shard that far (the events of {@code project} there, for one project's rebuild): then
     * no profile readers leave holds an event the one they switch to lacks. Gives up after {@link #HOLD_WAIT}, saying
     * so; the switch then goes on without that guarantee (a reader may see a profile one or two events behind, for a
     * moment).
     */
    private void reachHeld(String project, Generation to, List<String> leaving) throws InterruptedException,
            SQLException {
        long deadline = System.nanoTime() + HOLD_WAIT.toNanos();
        Map<Long, Long> stopped = null;
        while (stopped == null && System.nanoTime() - deadline < 0) {
            stopped = stoppedAt(leaving);
            if (stopped == null) {
                Thread.sleep(HOLD_CHECK_MILLIS);
            }
        }
        if (stopped == null) {
            LOG.warn("Rebuild: the jobs {} did not all report where they stopped within {} s; switching without "
                    + "waiting for them", leaving, HOLD_WAIT.toSeconds());
            return;
        }
        Map<Long, Long> targets = project == null ? stopped : projectPositions(project, stopped);
        while (System.nanoTime() - deadline < 0) {
            if (caughtUp(to, targets)) {
                LOG.info("Rebuild: generation {} has applied what the jobs readers leave read ({})", to.number(),
                        targets);
                return;
            }
            Thread.sleep(HOLD_CHECK_MILLIS);
        }
        LOG.warn("Rebuild: generation {} did not reach {} within {} s of holding the jobs readers leave; switching",
                to.number(), targets, HOLD_WAIT.toSeconds());
    }

    /** Where the sources of {@code jobs} stopped, highest per shard; {@code null} until each processor has said. */
    private Map<Long, Long> stoppedAt(List<String> jobs) throws InterruptedException {
        Map<String, List<SourceHolds.Stops>> byJob = new HashMap<>();
        try {
            for (Map<String, SourceHolds.Stops> answer : askAll(SourceHold.stops(jobs))) {
                answer.forEach((job, stops) -> byJob.computeIfAbsent(job, name -> new ArrayList<>()).add(stops));
            }
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("Rebuild: could not ask every member where the jobs {} stopped; asking again", jobs, e);
            return null;
        }
        for (String job : jobs) {
            if (!SourceHolds.Stops.complete(byJob.getOrDefault(job, List.of()))) {
                return null;
            }
        }
        return SourceHolds.Stops.positions(byJob.values().stream().flatMap(List::stream).toList());
    }

    /**
     * For one project's rebuild, whose job reads only the project's events: per shard, the last of them at or before
     * {@code positions} (shards without one are left out).
     */
    private Map<Long, Long> projectPositions(String project, Map<Long, Long> positions) throws SQLException {
        Map<Long, Long> last = new HashMap<>();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT MAX(seq) FROM tracking_log WHERE shard = ? AND seq <= ? AND project = ?")) {
            for (Map.Entry<Long, Long> position : positions.entrySet()) {
                select.setLong(1, position.getKey());
                select.setLong(2, position.getValue());
                select.setString(3, project);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next() && row.getObject(1) != null) {
                        last.put(position.getKey(), row.getLong(1));
                    }
                }
            }
        }
        return last;
    }

    private void releaseQuietly(List<String> jobs) {
        try {
            askAll(SourceHold.release(jobs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Rebuild: interrupted while releasing the jobs {}; their holds lapse within {} s", jobs,
                    HOLD.toSeconds());
        } catch (RuntimeException | java.util.concurrent.ExecutionException e) {
            LOG.warn("Rebuild: could not release the jobs {} on every member; their holds lapse within {} s", jobs,
                    HOLD.toSeconds(), e);
        }
    }

    /** Asks every member, and answers what each said. */
    private <T> List<T> askAll(java.util.concurrent.Callable<T> task) throws InterruptedException,
            java.util.concurrent.ExecutionException {
        List<T> answers = new ArrayList<>();
        for (java.util.concurrent.Future<T> answer : member.getExecutorService(EXECUTOR).submitToAllMembers(task)
                .values()) {
            answers.add(answer.get());
        }
        return answers;
    }

    /** Whether the job of {@code to} has applied, on every member together, each shard up to {@code logEnds}. */
    private boolean caughtUp(Generation to, Map<Long, Long> logEnds) throws InterruptedException {
        Map<Long, Long> applied = new HashMap<>();
        try {
            for (Map<Long, Long> answer : askAll(new AppliedPositions(to.jobName()))) {
                answer.forEach((shard, seq) -> applied.merge(shard, seq, Math::max));
            }
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("Rebuild: could not ask every member how far the job of generation {} is; asking again",
                    to.number(), e);
            return false;
        }
        return logEnds.entrySet().stream().allMatch(end -> applied.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    /** The last position of each log shard (holding the project's events, for one project's rebuild). */
    private Map<Long, Long> logEnds(String project) {
        return JdbcTrackingLog.lastPositions(database.dataSource(), project);
    }

    /** Events in the log (of {@code project} alone, unless {@code null}): a count of their rows, a scan. */
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
     * Events in the log now, for the progress the status shows, without counting the log at every check (a count
     * reads the whole table: on a log of 800,000 rows each took PostgreSQL about a second, half of a core through the
     * rebuild). The whole log's: its count at the start and what its shards' positions have grown by since, a lookup
     * per shard (positions skip a message the log already held, so this can run a little ahead). One project's: a
     * count measured again only as often as its cost allows ({@code projectEvents}).
     */
    private long eventsInLogNow(String project, long inLogAtStart, Map<Long, Long> endsAtStart,
                                CostBoundedFigure<Long> projectEvents) throws SQLException {
        if (project != null) {
            return projectEvents.get(() -> eventsInLog(project));
        }
        long grown = 0;
        for (Map.Entry<Long, Long> end : logEnds(null).entrySet()) {
            grown += Math.max(0, end.getValue() - endsAtStart.getOrDefault(end.getKey(), 0L));
        }
        return inLogAtStart + grown;
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
