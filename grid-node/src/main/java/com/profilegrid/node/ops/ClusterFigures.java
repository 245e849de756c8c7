package com.profilegrid.node.ops;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.profilegrid.model.Generation;
import com.profilegrid.node.support.CostBoundedFigure;
import com.profilegrid.node.triggers.Firings;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.state.StatePipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster's figures that cost a database query or a call to every member, measured in the background every
 * {@link #PERIOD_SECONDS} (and on demand by the status report), so that a metrics scrape is answered from memory:
 * pipeline lag per generation, profiles in memory and on the database only, dead letters, firings by state, safe mode.
 * The count of profiles on the database and the firings by state are each a scan of a table that grows without bound,
 * so each is measured again only once fifty times its own duration has passed ({@link CostBoundedFigure}): with many
 * millions of rows they lag by minutes.
 * Also follows partition migrations, to tell how many are in flight.
 */
public final class ClusterFigures implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterFigures.class);
    static final long PERIOD_SECONDS = 10;

    /** One measurement; {@code measuredMs} 0: none yet. */
    public record Snapshot(long measuredMs, Map<String, PipelineLag.Lag> lag, long profilesInMemory,
                           long profilesOnDatabaseOnly, long deadLetters, Map<String, Long> firings,
                           Firings.SafeModeState safeMode) {
        static final Snapshot NONE = new Snapshot(0, Map.of(), 0, 0, 0, Map.of(),
                new Firings.SafeModeState(false, java.time.Instant.EPOCH, "", 0));
    }

    private final HazelcastInstance member;
    private final DataSource dataSource;
    private final PipelineLag lag;
    private final Firings firings;
    private final java.time.Clock clock;
    private final ScheduledExecutorService timer;
    private final UUID migrationListener;
    private final AtomicInteger migrationsPlanned = new AtomicInteger();
    private final AtomicInteger migrationsDone = new AtomicInteger();
    private volatile boolean migrating;
    private volatile Snapshot last = Snapshot.NONE;
    /** The profiles table's count, a scan of it: measured again once fifty times its own duration has passed. */
    private final CostBoundedFigure<Long> profilesOnDatabase = new CostBoundedFigure<>();
    /** The firings by state, a scan of a table that keeps every firing: likewise. */
    private final CostBoundedFigure<Map<String, Long>> firingsByState = new CostBoundedFigure<>();

    public ClusterFigures(HazelcastInstance member, DataSource dataSource, Firings firings, java.time.Clock clock) {
        this.member = member;
        this.dataSource = dataSource;
        this.firings = firings;
        this.clock = clock;
        this.lag = new PipelineLag(dataSource, clock);
        this.migrationListener = member.getPartitionService().addMigrationListener(new MigrationListener() {
            @Override
            public void migrationStarted(MigrationState state) {
                migrationsPlanned.set(state.getPlannedMigrations());
                migrationsDone.set(state.getCompletedMigrations());
                migrating = true;
            }

            @Override
            public void migrationFinished(MigrationState state) {
                migrating = false;
            }

            @Override
            public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
                migrationsPlanned.set(event.getMigrationState().getPlannedMigrations());
                migrationsDone.set(event.getMigrationState().getCompletedMigrations());
            }

            @Override
            public void replicaMigrationFailed(ReplicaMigrationEvent event) {
                replicaMigrationCompleted(event);
            }
        });
        this.timer = com.profilegrid.node.support.Daemons.scheduler("profilegrid-figures");
        timer.scheduleWithFixedDelay(this::refreshQuietly, 1, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** The last measurement. */
    public Snapshot last() {
        return last;
    }

    /**
     * Partition migrations planned but not done in the migration process under way (0 when none is), as this member
     * heard of them: the master plans and tells; on other members it is 0.
     */
    public int migrationsInFlight() {
        return migrating ? Math.max(0, migrationsPlanned.get() - migrationsDone.get()) : 0;
    }

    private void refreshQuietly() {
        try {
            if (member.getLifecycleService().isRunning()) {
                refresh();
            }
        } catch (RuntimeException | SQLException e) {
            LOG.debug("Could not measure the cluster's figures; trying again in {} s", PERIOD_SECONDS, e);
        }
    }

    /** Measures now. */
    public synchronized Snapshot refresh() throws SQLException {
        Generation active = Generation.active(member);
        long inMemory = member.getMap(StatePipeline.Maps.statesMap(active)).size();
        long onDatabase = profilesOnDatabase.get(() -> {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM current_profiles");
                 ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        });
        Snapshot measured = new Snapshot(clock.millis(), lag.measure(member), inMemory,
                Math.max(0, onDatabase - inMemory), member.getMap(DeadLetter.MAP).size(),
                firingsByState.get(firings::countByState),
                firings.safeMode());
        last = measured;
        return measured;
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(timer);
        try {
            member.getPartitionService().removeMigrationListener(migrationListener);
        } catch (RuntimeException e) {
            // the member is gone already
        }
    }
}
