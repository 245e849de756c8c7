package com.profilegrid.node.ops;

import com.hazelcast.cluster.ClusterState;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.node.triggers.Firings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Each node's watch over its own load, once a second: heap after GC, profile state against its budget, the pipeline's
 * lag, its write-behind backlog and its spool ({@link OverloadSettings}). Past any threshold the node is overloaded,
 * and until every signal has stayed under its threshold for {@link OverloadSettings#recoverAfter()}:
 * <ul>
 *   <li>it sheds tracking: requests are answered 503 with {@code Retry-After} before they are read, so that its queues
 *       and heap stop growing (clients of the tracking API retry; the events they hold are not lost);</li>
 *   <li>it turns safe mode on, unless it is on already, with the reason ({@code automatic: ...}): firings are deferred,
 *       not delivered; when the overload is over the node turns it off again and the deferred firings are delivered.
 *       Safe mode an operator turned on is left to the operator;</li>
 *   <li>it pauses partition migrations (cluster state {@code NO_MIGRATION}), so that rebalancing does not land on
 *       the peak: a member that joins gets partitions, and a lost member's backups are copied again, once the
 *       overload is over, or after {@link OverloadSettings#maxMigrationPause()} at the latest, whatever the load
 *       then (never longer: without its backups copied again the cluster is not safe). A pause whose node died is
 *       ended by any other node once that bound has passed.</li>
 * </ul>
 * Entering and leaving are logged and counted ({@code profilegrid_overload_transitions_total}).
 */
public final class Overload implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Overload.class);
    /** The entry of the meta map that tells who paused migrations and when ({@code uuid@epochMillis}). */
    static final String PAUSE_KEY = "migration-pause";
    static final String PAUSE_MAP = "profilegrid-overload";
    static final String AUTOMATIC = "automatic: ";

    private final HazelcastInstance member;
    private final NodeFigures node;
    private final ClusterFigures cluster;
    private final Firings firings;
    private final long spoolMaxBytes;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Counter entered;
    private final Counter left;
    private volatile OverloadSettings settings;
    private volatile List<String> over = List.of();
    private volatile boolean overloaded;
    private long overloadedSinceMs;
    private long calmSinceMs = -1;
    private boolean turnedSafeModeOn;
    private long pausedAtMs = -1;
    private boolean pauseSpent;

    public Overload(HazelcastInstance member, NodeFigures node, ClusterFigures cluster, Firings firings,
                    long spoolMaxBytes, OverloadSettings settings, Clock clock, MeterRegistry metrics) {
        this.member = member;
        this.node = node;
        this.cluster = cluster;
        this.firings = firings;
        this.spoolMaxBytes = spoolMaxBytes;
        this.settings = settings;
        this.clock = clock;
        Gauge.builder("profilegrid.overloaded", this, o -> o.overloaded ? 1 : 0)
                .description("1 while this node is overloaded: it sheds tracking, and keeps safe mode on and migrations "
                        + "paused").register(metrics);
        this.entered = Counter.builder("profilegrid.overload.transitions").tag("transition", "enter")
                .description("Times this node entered or left overload").register(metrics);
        this.left = Counter.builder("profilegrid.overload.transitions").tag("transition", "leave")
                .description("Times this node entered or left overload").register(metrics);
        this.timer = com.profilegrid.node.support.Daemons.scheduler("profilegrid-overload");
        timer.scheduleWithFixedDelay(this::checkQuietly, 1, 1, TimeUnit.SECONDS);
    }

    /** Why tracking is refused now ({@code empty}: it is not). */
    public Optional<String> shedding() {
        return overloaded ? Optional.of("node overloaded (" + String.join("; ", over) + "); retry shortly or send to "
                + "another node") : Optional.empty();
    }

    public boolean overloaded() {
        return overloaded;
    }

    /** The signals past their thresholds at the last check. */
    public List<String> signals() {
        return over;
    }

    /** Changes the thresholds (an operator's, or a test's); the next check uses them. */
    public void settings(OverloadSettings newSettings) {
        this.settings = newSettings;
    }

    private void checkQuietly() {
        try {
            if (member.getLifecycleService().isRunning()) {
                check();
            }
        } catch (RuntimeException e) {
            LOG.debug("Overload check failed; checking again in a second", e);
        }
    }

    synchronized void check() {
        OverloadSettings limits = settings;
        long now = clock.millis();
        List<String> signals = measure(limits);
        over = signals;
        if (!signals.isEmpty()) {
            calmSinceMs = -1;
            if (!overloaded) {
                enter(signals, now);
            }
        } else if (overloaded) {
            if (calmSinceMs < 0) {
                calmSinceMs = now;
            }
            if (now - calmSinceMs >= limits.recoverAfter().toMillis()) {
                leave(now);
            }
        }
        if (overloaded && pausedAtMs >= 0 && now - pausedAtMs >= limits.maxMigrationPause().toMillis()) {
            LOG.warn("Partition migrations resume after the longest pause of {} s, though this node is still "
                    + "overloaded: the cluster must not stay unsafe longer", limits.maxMigrationPause().toSeconds());
            resumeMigrations();
            pauseSpent = true;
        }
        endOrphanedPause(now, limits);
    }

    private List<String> measure(OverloadSettings limits) {
        List<String> signals = new ArrayList<>();
        long max = Runtime.getRuntime().maxMemory();
        long heap = NodeFigures.heapAfterGcBytes();
        if (heap * 100 > max * (long) limits.heapAfterGcPercent()) {
            signals.add(String.format(Locale.ROOT, "heap after GC %.1f%% > %d%%", heap * 100.0 / max,
                    limits.heapAfterGcPercent()));
        }
        long state = node.profileStateHeapBytes();
        long budget = Math.max(1, node.profileStateBudgetBytes());
        if (state * 100 > budget * limits.stateBudgetPercent()) {
            signals.add(String.format(Locale.ROOT, "profile state %d%% of its budget > %d%%", state * 100 / budget,
                    limits.stateBudgetPercent()));
        }
        long lag = cluster.last().lag().values().stream().mapToLong(PipelineLag.Lag::events).max().orElse(0);
        if (limits.lagEvents() > 0 && lag > limits.lagEvents()) {
            signals.add("pipeline lag " + lag + " events > " + limits.lagEvents());
        }
        long queued = node.writeBehindQueued();
        if (queued > limits.writeBehindRows()) {
            signals.add("write-behind " + queued + " rows > " + limits.writeBehindRows());
        }
        long spool = node.spoolBytes();
        if (spoolMaxBytes > 0 && spool * 100 > spoolMaxBytes * limits.spoolPercent()) {
            signals.add(String.format(Locale.ROOT, "spool %d%% full > %d%%", spool * 100 / spoolMaxBytes,
                    limits.spoolPercent()));
        }
        return signals;
    }

    private void enter(List<String> signals, long now) {
        overloadedSinceMs = now;
        pauseSpent = false;
        entered.increment();
        String why = String.join("; ", signals);
        LOG.warn("Overloaded ({}): shedding tracking with 503 and Retry-After, firings deferred in safe mode, "
                + "partition migrations paused for at most {} s", why, settings.maxMigrationPause().toSeconds());
        try {
            if (!firings.safeMode().enabled()) {
                firings.setSafeMode(true, AUTOMATIC + "member " + localAddress() + " overloaded (" + why + ")",
                        Instant.ofEpochMilli(now));
                turnedSafeModeOn = true;
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not turn safe mode on for the overload: {}", e.getMessage());
        }
        pauseMigrations(now);
        overloaded = true; // shedding starts once safe mode and the pause are in place (a few milliseconds later)
    }

    private void leave(long now) {
        overloaded = false;
        left.increment();
        LOG.info("Overload over after {} s: tracking taken again{}{}", (now - overloadedSinceMs) / 1000,
                turnedSafeModeOn ? ", safe mode off (deferred firings delivered)" : "",
                pausedAtMs >= 0 ? ", partition migrations resumed" : "");
        if (turnedSafeModeOn) {
            turnedSafeModeOn = false;
            try {
                Firings.SafeModeState state = firings.safeMode();
                // only the switch this node turned on: an operator's, or another node's, is not ours to end
                if (state.enabled() && state.reason().startsWith(AUTOMATIC + "member " + localAddress() + " ")) {
                    firings.exit(null, "", Instant.ofEpochMilli(now));
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not turn safe mode off after the overload (turn it off with bin/profilegrid "
                        + "safe-mode off): {}", e.getMessage());
            }
        }
        resumeMigrations();
    }

    private void pauseMigrations(long now) {
        if (pauseSpent || settings.maxMigrationPause().isZero()) {
            return;
        }
        try {
            if (member.getCluster().getClusterState() != ClusterState.ACTIVE) {
                return; // an operator's state, or another node's pause
            }
            meta().put(PAUSE_KEY, member.getCluster().getLocalMember().getUuid() + "@" + now);
            member.getCluster().changeClusterState(ClusterState.NO_MIGRATION);
            pausedAtMs = now;
        } catch (RuntimeException e) {
            meta().remove(PAUSE_KEY);
            LOG.info("Could not pause partition migrations now ({}); the overload is answered without", e.getMessage());
        }
    }

    private void resumeMigrations() {
        if (pausedAtMs < 0) {
            return;
        }
        try {
            if (member.getCluster().getClusterState() == ClusterState.NO_MIGRATION) {
                member.getCluster().changeClusterState(ClusterState.ACTIVE);
            }
            meta().remove(PAUSE_KEY);
            pausedAtMs = -1;
        } catch (RuntimeException e) {
            LOG.warn("Could not resume partition migrations ({}); trying again in a second", e.getMessage());
        }
    }

    /** Ends a pause whose node is gone (or forgot it) once it is older than the longest pause. */
    private void endOrphanedPause(long now, OverloadSettings limits) {
        if (pausedAtMs >= 0 || member.getCluster().getClusterState() != ClusterState.NO_MIGRATION) {
            return;
        }
        Object pause = meta().get(PAUSE_KEY);
        if (!(pause instanceof String text) || !text.contains("@")) {
            return; // an operator's NO_MIGRATION
        }
        long since = Long.parseLong(text.substring(text.indexOf('@') + 1));
        if (now - since >= limits.maxMigrationPause().toMillis()) {
            LOG.warn("Partition migrations were paused by an overloaded member {} s ago; resuming them",
                    (now - since) / 1000);
            member.getCluster().changeClusterState(ClusterState.ACTIVE);
            meta().remove(PAUSE_KEY);
        }
    }

    /** A small map of its own (not the meta map, whose store keeps numbers only): who paused migrations, and when. */
    private IMap<String, Object> meta() {
        return member.getMap(PAUSE_MAP);
    }

    private String localAddress() {
        return member.getCluster().getLocalMember().getAddress().toString();
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(timer);
    }
}
