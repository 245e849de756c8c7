package com.profilegrid.node.http;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.profilegrid.model.Generation;
import com.profilegrid.node.NodeRole;
import com.profilegrid.node.log.JdbcTrackingLog;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.node.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Health and readiness of a node, the slow parts checked in the background once a second so that a probe is answered
 * at once even while the database hangs.
 *
 * <p>Live: the member is running. Ready (what a load balancer in front of tracking asks): the node can take tracking,
 * which holds while its member has joined and is not stopping, its log shard is its own, and its events can go
 * somewhere durable: the database answers, or the spool has room. A database outage or a partition migration alone
 * therefore never takes every node out of rotation, which would turn the spool off exactly when it is needed.
 * Strict ({@code /ready?strict}, for operators): every check passes, the cluster is safe, the database answers and the
 * profile pipeline runs.
 *
 * <p>By role: a {@link NodeRole#TRACKING tracking} node has no member; it is ready while it is not stopping, its log
 * shard is its own and its events can go somewhere durable, and strict adds that the database answers. A
 * {@link NodeRole#PROFILES profiles} node takes no tracking; it is ready (for the read and admin APIs) while its member
 * has joined and is not stopping. The body says {@code takesTracking} and {@code servesProfiles} either way, so one
 * probe tells a load balancer which pool a node belongs in.
 */
public final class Readiness implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(2);

    /** A readiness answer: whether ready, and the body that says why. */
    public record Report(boolean ready, Map<String, Object> body) {
    }

    private final NodeRole role;
    /** {@code null} on a tracking node. */
    private final HazelcastInstance member;
    private final Database database;
    private final JdbcTrackingLog log;
    private final Spool spool;
    private final ScheduledExecutorService checker;
    private volatile boolean databaseReachable;
    private volatile String pipeline = "UNKNOWN";
    private volatile boolean stopping;

    /** @param member the node's Hazelcast member, or {@code null} for a tracking node */
    public Readiness(NodeRole role, HazelcastInstance member, Database database, JdbcTrackingLog log, Spool spool) {
        if ((member == null) != (role == NodeRole.TRACKING)) {
            throw new IllegalArgumentException("a tracking node has no member, and every other node has one");
        }
        this.role = role;
        this.member = member;
        this.database = database;
        this.log = log;
        this.spool = spool;
        this.checker = com.profilegrid.node.support.Daemons.scheduler("profilegrid-readiness");
        check();
        checker.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    private void check() {
        databaseReachable = database.isReachable(DB_TIMEOUT);
        if (member == null) {
            return;
        }
        try {
            Job job = member.getJet().getJob(Generation.active(member).jobName());
            pipeline = job == null ? "NOT_STARTED" : job.getStatus().name();
        } catch (RuntimeException e) {
            LOG.debug("Cannot tell the profile job's state", e);
            pipeline = "UNKNOWN";
        }
    }

    public boolean isLive() {
        return member == null ? !stopping : member.getLifecycleService().isRunning();
    }

    /** The answer to a readiness probe; {@code strict} asks for every check. */
    public Report report(boolean strict) {
        boolean running = isLive();
        Map<String, Boolean> checks = new LinkedHashMap<>();
        boolean joined;
        if (member == null) {
            joined = !stopping;
            checks.put("notStopping", joined);
        } else {
            joined = running && !stopping
                    && member.getCluster().getMembers().contains(member.getCluster().getLocalMember());
            checks.put("memberJoined", joined);
        }
        if (role.takesTracking()) {
            checks.put("logShardOpen", log.isShardOpen());
        }
        checks.put("databaseReachable", databaseReachable);
        if (role.takesTracking()) {
            checks.put("spoolHasRoom", spool.hasRoom());
        }
        if (member != null) {
            checks.put("clusterSafe", running && member.getPartitionService().isClusterSafe());
            checks.put("pipelineRunning", "RUNNING".equals(pipeline));
        }
        boolean takesTracking = role.takesTracking() && joined && log.isShardOpen()
                && (databaseReachable || spool.hasRoom());
        boolean servesProfiles = role.holdsProfiles() && joined;
        boolean ready = strict ? checks.values().stream().allMatch(Boolean::booleanValue)
                : role.takesTracking() ? takesTracking : servesProfiles;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "READY" : "NOT_READY");
        body.put("role", role.flag());
        body.put("takesTracking", takesTracking);
        body.put("servesProfiles", servesProfiles);
        body.put("checks", checks);
        if (role.takesTracking()) {
            body.put("spoolFreeBytes", spool.freeBytes());
        }
        if (member != null) {
            body.put("pipeline", pipeline);
        }
        return new Report(ready, body);
    }

    /** From now on the node reports not ready, so load balancers stop sending it work before it leaves. */
    public void markStopping() {
        stopping = true;
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(checker);
    }
}
