package com.profilegrid.node.ops;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.LocalMapStats;
import com.profilegrid.model.Generation;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.pipelines.state.StatePipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node tells of itself: its spool, its write-behind backlog, its heap after the last collection, and the heap
 * its profile state takes against the budget. Kept in the member's user context under {@link #USER_CONTEXT_KEY}, so
 * that any member can ask every other for its figures ({@link LocalFigures}).
 */
public final class NodeFigures {

    public static final String USER_CONTEXT_KEY = "profilegrid.node-figures";

    private final Spool spool;
    private volatile String httpAddress;
    private final int budgetPercent;
    private final Clock clock;
    private volatile HazelcastInstance member;

    public NodeFigures(Spool spool, String httpAddress, int budgetPercent, Clock clock) {
        this.spool = spool;
        this.httpAddress = httpAddress;
        this.budgetPercent = budgetPercent;
        this.clock = clock;
    }

    /** Once the HTTP server listens (its port may have been chosen then). */
    public void http(String address) {
        this.httpAddress = address;
    }

    /** Once the member runs. */
    public void attach(HazelcastInstance member) {
        this.member = member;
    }

    public long spoolBytes() {
        return spool.bytesOnDisk();
    }

    /** Seconds since the oldest event still in the spool (not yet in the tracking log) arrived; 0 when none is. */
    public double spoolOldestAgeSeconds() {
        try {
            if (!spool.hasPending()) {
                return 0;
            }
            List<Spool.Entry> oldest = spool.read(spool.checkpoint(), 1);
            return oldest.isEmpty() ? 0
                    : Math.max(0, clock.millis() - oldest.get(0).event().receivedAt().toEpochMilli()) / 1000.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Keys the state maps' stores loaded from the database on a partition thread, so far. */
    public double partitionThreadLoads() {
        HazelcastInstance running = member;
        com.profilegrid.node.store.StorePrefetch prefetch =
                running == null ? null : com.profilegrid.node.store.StorePrefetch.of(running);
        return prefetch == null ? 0 : prefetch.partitionThreadLoads();
    }

    /** Profile rows this member holds queued for the database (the write-behind of its live generations). */
    public long writeBehindQueued() {
        HazelcastInstance running = member;
        return running == null || !running.getLifecycleService().isRunning() ? 0 : writeBehindQueued(running);
    }

    /** Profile rows {@code member} holds queued for the database (the write-behind of its live generations). */
    public static long writeBehindQueued(HazelcastInstance member) {
        long queued = 0;
        for (Generation generation : ProfileJob.live(member).keySet()) {
            for (String map : List.of(StatePipeline.Maps.rawIdsMap(generation), StatePipeline.Maps.statesMap(generation))) {
                queued += member.getMap(map).getLocalMapStats().getDirtyEntryCount();
            }
        }
        return queued;
    }

    /**
     * The heap this member's profile state takes, as Hazelcast costs its entries (owned and backup, of the live
     * generations' raw ids, states, profiles and id index): what the budget bounds.
     */
    public long profileStateHeapBytes() {
        HazelcastInstance running = member;
        if (running == null || !running.getLifecycleService().isRunning()) {
            return 0;
        }
        long bytes = 0;
        for (Generation generation : ProfileJob.live(running).keySet()) {
            for (String map : List.of(StatePipeline.Maps.rawIdsMap(generation), StatePipeline.Maps.statesMap(generation),
                    generation.profilesMap(), generation.idsMap())) {
                LocalMapStats stats = running.getMap(map).getLocalMapStats();
                bytes += stats.getOwnedEntryMemoryCost() + stats.getBackupEntryMemoryCost();
            }
        }
        return bytes;
    }

    /** The profile heap budget: its share of the largest heap this JVM may have. */
    public long profileStateBudgetBytes() {
        return Runtime.getRuntime().maxMemory() / 100 * budgetPercent;
    }

    /** The heap in use after the last collection (the old generation's, or every heap pool's that tells it). */
    public static long heapAfterGcBytes() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()
                    ? pool.getCollectionUsage() : null;
            if (afterGc != null) {
                used += afterGc.getUsed();
            }
        }
        return used;
    }

    /** The figures as the status report shows them. */
    public Map<String, Object> report() {
        HazelcastInstance running = member;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("member", running == null ? null : running.getCluster().getLocalMember().getAddress().toString());
        figures.put("http", httpAddress);
        figures.put("spoolBytes", spoolBytes());
        figures.put("spoolOldestAgeSeconds", spoolOldestAgeSeconds());
        figures.put("writeBehindQueued", writeBehindQueued());
        figures.put("profileStateHeapBytes", profileStateHeapBytes());
        figures.put("profileStateBudgetBytes", profileStateBudgetBytes());
        figures.put("heapAfterGcBytes", heapAfterGcBytes());
        figures.put("heapMaxBytes", Runtime.getRuntime().maxMemory());
        return figures;
    }
}
