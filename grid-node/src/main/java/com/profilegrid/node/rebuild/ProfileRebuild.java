package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricNames;
import com.hazelcast.jet.core.metrics.MetricTags;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.ProfileMapStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.profile.ProfilePipeline;
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

/**
 * Rebuilds every profile from the tracking log while the system serves: a second profile job reads the log
 * from its start into the next generation's maps and keeps applying live events; once it has read what the
 * log held when it started and holds at least as many events as the active generation, readers switch to it, the new generation's
 * profiles are written to the database, rows of profiles that no longer exist are deleted, and the old
 * job and maps are retired. Ingest and reads go on throughout; readers see the old, complete profiles
 * until the switch and the new, complete ones after it.
 */
public final class ProfileRebuild implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileRebuild.class);
    private static final long CHECK_MILLIS = 1_000;
    /** After the switch, the old map's in-flight stores finish within the write-behind delay; wait it out. */
    private static final long SETTLE_MILLIS = 2_500;
    private static final int BATCH = 500;

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

    /** Starts a rebuild unless one is running on this node; returns its status. */
    public synchronized RebuildStatus start() {
        if (status.running()) {
            return status;
        }
        Generation from = Generation.active(member);
        Generation to = from.next();
        status = new RebuildStatus("CATCHING_UP", from.number(), to.number(), 0, 0, 0, -1, "starting " + to.jobName());
        worker = new Thread(() -> run(from, to), "profilegrid-rebuild");
        worker.setDaemon(true);
        worker.start();
        return status;
    }

    private void run(Generation from, Generation to) {
        try {
            Job job = ProfileJob.start(member, to, settings);
            catchUp(from, to, job);
            status = status.with("SWITCHING", "switching readers to generation " + to.number());
            to.activate(member);
            Thread.sleep(SETTLE_MILLIS);
            persist(to);
            retire(from);
            status = status.with("DONE", "readers use generation " + to.number() + "; generation " + from.number() + " retired");
            LOG.info("Rebuild done: {}", status.message());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = status.with("FAILED", "interrupted");
        } catch (RuntimeException | SQLException e) {
            status = status.with("FAILED", e.toString());
            LOG.error("Rebuild failed", e);
        }
    }

    private void catchUp(Generation from, Generation to, Job job) throws InterruptedException, SQLException {
        long lastRead = 0;
        long lastCheck = System.nanoTime();
        long inLogAtStart = eventsInLog();
        while (true) {
            Thread.sleep(CHECK_MILLIS);
            long inLog = eventsInLog();
            long read = Math.max(lastRead, eventsRead(job));
            long now = System.nanoTime();
            double rate = (read - lastRead) / ((now - lastCheck) / 1e9);
            long eta = rate > 0 ? (long) Math.ceil(Math.max(0, inLog - read) / rate) : -1;
            status = new RebuildStatus("CATCHING_UP", from.number(), to.number(), read, inLog, rate, eta,
                    "reading the tracking log");
            LOG.info("Rebuild of generation {}: {} of {} events read, {} events/s, ETA {} s", to.number(), read, inLog,
                    Math.round(rate), eta);
            lastRead = read;
            lastCheck = now;
            // Jet publishes the read count every few seconds, so under steady ingest it always trails the log: once
            // the job has read what the log held at the start, compare what the two generations hold instead.
            if (read >= inLogAtStart) {
                Long active = member.<ProfileKey, Profile>getMap(from.profilesMap()).aggregate(new EventCount(null));
                Long rebuilt = member.<ProfileKey, Profile>getMap(to.profilesMap()).aggregate(new EventCount(null));
                if (rebuilt >= active) {
                    return;
                }
            }
        }
    }

    /** Events the job's source has emitted (Jet collects metrics every few seconds, so this trails a little). */
    private static long eventsRead(Job job) {
        long read = 0;
        for (Measurement measurement : job.getMetrics().get(MetricNames.EMITTED_COUNT)) {
            // the source feeds two stages: count its first outgoing edge only
            if (ProfilePipeline.SOURCE_STAGE.equals(measurement.tag(MetricTags.VERTEX))
                    && "0".equals(measurement.tag(MetricTags.ORDINAL))) {
                read += measurement.value();
            }
        }
        return read;
    }

    private long eventsInLog() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM tracking_log");
             ResultSet row = count.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /**
     * Writes the new generation to the table (it stored nothing while it was not active) and deletes rows of
     * profiles it does not have. Each batch is read and written well within the write-behind delay, so a
     * change made meanwhile is stored after it, never before.
     */
    private void persist(Generation to) throws SQLException {
        IMap<ProfileKey, Profile> profiles = member.getMap(to.profilesMap());
        ProfileMapStore store = new ProfileMapStore(database.dataSource(), database.dialect());
        List<ProfileKey> keys = new ArrayList<>(profiles.keySet());
        for (int i = 0; i < keys.size(); i += BATCH) {
            Set<ProfileKey> batch = new HashSet<>(keys.subList(i, Math.min(keys.size(), i + BATCH)));
            Map<ProfileKey, Profile> values = profiles.getAll(batch);
            store.storeAll(values);
        }
        Set<ProfileKey> live = new HashSet<>(keys);
        List<ProfileKey> gone = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT project, profile_id FROM profiles");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                ProfileKey key = new ProfileKey(rows.getString(1), rows.getString(2));
                if (!live.contains(key) && !profiles.containsKey(key)) {
                    gone.add(key);
                }
            }
        }
        store.deleteAll(gone);
        status = status.with("SWITCHING", keys.size() + " profiles written, " + gone.size() + " stale rows deleted");
    }

    private void retire(Generation from) {
        Job old = member.getJet().getJob(from.jobName());
        if (old != null) {
            old.cancel();
        }
        member.getMap(from.profilesMap()).destroy();
        member.getMap(from.idsMap()).destroy();
    }

    @Override
    public synchronized void close() {
        if (worker != null) {
            worker.interrupt();
        }
    }
}
