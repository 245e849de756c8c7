package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.KeyedTableStore;
import com.profilegrid.node.store.ProfileStateStore;
import com.profilegrid.node.store.RawIdStore;
import com.profilegrid.node.store.MetaTable;
import com.profilegrid.node.store.StoreCutoff;
import com.profilegrid.pipelines.state.StatePipeline;
import com.profilegrid.pipelines.fold.FoldSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Rebuilds the profiles of every project, or of one, from the tracking log while the system serves: a second profile
 * job reads the log from its start (that project's events only, for one) into a new generation's maps and keeps
 * applying live events; once it has read what the log held when it started and holds at least as many events as
 * the generation readers use, readers switch to it, its profiles are written to the database, rows of profiles that
 * no longer exist are deleted, and the old job and maps are retired (for one project: its entries leave the shared
 * maps, and the shared job skips its events from then on). Ingest and reads go on throughout; readers see the old,
 * complete profiles until the switch and the new, complete ones after it.
 *
 * <p>One rebuild runs at a time in the cluster: it holds a lock on the meta map while it runs (released if its
 * member leaves; the nodes' job watchdogs then retire what it left half built).
 */
public final class ProfileRebuild implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileRebuild.class);
    private static final long CHECK_MILLIS = 1_000;
    /** After the switch, the old map's in-flight stores finish within the write-behind delay; wait it out. */
    private static final long SETTLE_MILLIS = 2_500;

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
        EvictionWatch evictions = null;
        try {
            Map<Generation, String> before = ProfileJob.live(member);
            Generation from = project == null ? Generation.active(member) : Generation.active(member, project);
            to = GenerationSwitch.reserveNext(member, new MetaTable(database.dataSource()));
            status = new RebuildStatus("CATCHING_UP", project, from.number(), to.number(), 0, 0, 0, -1,
                    "starting " + to.jobName());
            locked.countDown();
            evictions = new EvictionWatch(member, List.of(StatePipeline.Maps.rawIdsMap(to),
                    StatePipeline.Maps.statesMap(to)));
            Job job = ProfileJob.start(member, to, project, settings);
            catchUp(project, to, job, evictions);
            evictions.check(to.number());
            status = status.with("SWITCHING", "switching readers to generation " + to.number());
            if (project == null) {
                GenerationSwitch.activate(member, to, new MetaTable(database.dataSource()));
            } else {
                GenerationSwitch.activate(member, to, project, new MetaTable(database.dataSource()));
            }
            switched = true;
            Thread.sleep(SETTLE_MILLIS);
            persist(to, project);
            // an entry evicted between the switch and its store was never written: say so rather than report success
            evictions.check(to.number());
            retire(before, from, project);
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
            if (evictions != null) {
                evictions.close();
            }
            locked.countDown();
            meta.unlock(GenerationSwitch.REBUILD_LOCK);
        }
    }

    /** Before the switch, the half-built generation is dropped; after it, readers keep the new one. */
    private void failed(Generation to, boolean switched, String why) {
        if (to != null && !switched) {
            try {
                ProfileJob.retire(member, to);
            } catch (RuntimeException e) {
                LOG.warn("Could not retire the unfinished generation {}; the job watchdog will", to.number(), e);
            }
        }
        status = status.with("FAILED", why + (switched ? " (after readers switched to the new generation; its "
                + "database rows may be incomplete until a rebuild succeeds)" : ""));
    }

    private void catchUp(String project, Generation to, Job job, EvictionWatch evictions)
            throws InterruptedException, SQLException {
        long lastRead = 0;
        long lastCheck = System.nanoTime();
        long inLogAtStart = eventsInLog(project);
        while (true) {
            Thread.sleep(CHECK_MILLIS);
            evictions.check(to.number());
            if (ProfileJob.stoppedOnError(job) || job.getStatus() == JobStatus.FAILED) {
                throw new IllegalStateException("the rebuild job stopped: " + (ProfileJob.stoppedOnError(job)
                        ? job.getSuspensionCause().errorCause() : job.getStatus()));
            }
            long inLog = eventsInLog(project);
            long read = Math.max(lastRead, ProfileJob.eventsRead(job));
            long now = System.nanoTime();
            double rate = (read - lastRead) / ((now - lastCheck) / 1e9);
            long eta = rate > 0 ? (long) Math.ceil(Math.max(0, inLog - read) / rate) : -1;
            status = status.progress(read, inLog, rate, eta, "reading the tracking log");
            LOG.info("Rebuild of generation {}: {} of {} events read, {} events/s, ETA {} s", to.number(), read, inLog,
                    Math.round(rate), eta);
            lastRead = read;
            lastCheck = now;
            // Jet publishes the read count every few seconds, so under steady ingest it always trails the log: once
            // the job has read what the log held at the start, compare what the two generations hold instead.
            if (read >= inLogAtStart) {
                long rebuilt = EventCount.in(member.getMap(to.profilesMap()), project);
                if (rebuilt >= eventsHeld(project)) {
                    return;
                }
            }
        }
    }

    /** Events folded into the profiles readers use now: of one project, or of all (in the generation each uses). */
    private long eventsHeld(String project) {
        if (project != null) {
            return EventCount.in(member.getMap(Generation.active(member, project).profilesMap()), project);
        }
        Map<String, Generation> own = Generation.ownGenerations(member);
        long held = EventCount.in(member.getMap(Generation.active(member).profilesMap()), null, own.keySet());
        for (Map.Entry<String, Generation> entry : own.entrySet()) {
            held += EventCount.in(member.getMap(entry.getValue().profilesMap()), entry.getKey());
        }
        return held;
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
     * Writes the new generation's state to the tables (it stored nothing while it was not active) and deletes rows (of
     * the project rebuilt alone, or of any) it does not have: raw ids first, then profile states (which the readers'
     * profiles load from). The entries are written by their maps' own write-behind ({@link StoreAgain} queues each
     * one as it is, then a flush waits for the queues): the write-behind stores a key's writes in order, so a change the
     * job makes meanwhile is stored after the entry, never overwritten by it. (Reading the entries and writing them here
     * raced with it: a batch read before a change and written after the write-behind stored the change put the older
     * row back, which a loaded machine showed.)
     */
    private void persist(Generation to, String project) {
        int rawIdsGone = persist(member.getMap(StatePipeline.Maps.rawIdsMap(to)),
                new RawIdStore(database.dataSource(), database.dialect()), project);
        int profilesGone = persist(member.getMap(StatePipeline.Maps.statesMap(to)),
                new ProfileStateStore(database.dataSource(), database.dialect(), new StoreCutoff()), project);
        status = status.with("SWITCHING", member.getMap(StatePipeline.Maps.statesMap(to)).size() + " profiles written, "
                + profilesGone + " stale profile rows and " + rawIdsGone + " stale raw id rows deleted");
    }

    /** Stores every entry of {@code map} (of {@code project}, or all) to its table, deletes the rows it does not have; the count of those. */
    private static <K, V> int persist(IMap<K, V> map, KeyedTableStore<K, V> store, String project) {
        Set<K> live = new HashSet<>(map.keySet());
        @SuppressWarnings("unchecked")
        Predicate<K, V> entries = project == null ? Predicates.alwaysTrue() : (Predicate<K, V>) (Predicate<?, ?>) new OfProject(project);
        map.executeOnEntries(new StoreAgain<>(), entries);
        map.flush();
        List<K> absent = store.keysInTable(project).stream().filter(key -> !live.contains(key)).toList();
        // an entry may have been created since the keys were listed; containsKey would load the stale row back
        Set<K> now = map.keySet();
        List<K> gone = absent.stream().filter(key -> !now.contains(key)).toList();
        store.deleteAll(gone);
        return gone.size();
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
