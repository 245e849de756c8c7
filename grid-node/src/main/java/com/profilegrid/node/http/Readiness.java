package com.profilegrid.node.http;

import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.node.store.Database;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Health and readiness of a node, checked in the background once a second so that a probe is answered
 * at once even while the database hangs.
 *
 * <p>Live: the member is running. Ready: the member has joined its cluster, the cluster is safe
 * (no partition without its backup, no migration pending) and the database answers.
 */
public final class Readiness implements AutoCloseable {

    private static final Duration DB_TIMEOUT = Duration.ofSeconds(2);

    private final HazelcastInstance member;
    private final Database database;
    private final ScheduledExecutorService checker;
    private volatile boolean databaseReachable;
    private volatile boolean stopping;

    public Readiness(HazelcastInstance member, Database database) {
        this.member = member;
        this.database = database;
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "profilegrid-readiness");
            thread.setDaemon(true);
            return thread;
        });
        databaseReachable = database.isReachable(DB_TIMEOUT);
        checker.scheduleWithFixedDelay(() -> databaseReachable = database.isReachable(DB_TIMEOUT), 1, 1, TimeUnit.SECONDS);
    }

    public boolean isLive() {
        return member.getLifecycleService().isRunning();
    }

    /** The individual checks, in a stable order, for the readiness answer. */
    public Map<String, Boolean> checks() {
        boolean running = isLive();
        Map<String, Boolean> checks = new LinkedHashMap<>();
        checks.put("memberJoined", running && !stopping
                && member.getCluster().getMembers().contains(member.getCluster().getLocalMember()));
        checks.put("clusterSafe", running && member.getPartitionService().isClusterSafe());
        checks.put("databaseReachable", databaseReachable);
        return checks;
    }

    /** From now on the node reports not ready, so load balancers stop sending it work before it leaves. */
    public void markStopping() {
        stopping = true;
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
