package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.partition.Partition;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a stopping node stop writing profile rows that others will write, or that the database will not take.
 *
 * <p>Hazelcast retries a failed write-behind store indefinitely, also inside a member's graceful shutdown (it flushes
 * what its queues still hold, even for partitions that have just moved away), so a node whose database is gone would
 * never stop. Two ways out, chosen by the node:
 * <ul>
 *   <li>{@link #leaving} (other members remain): rows of partitions another member owns are dropped here, because the
 *       new owner took them over with the partition's write-behind queue and stores them once the database is back;
 *       rows of partitions still owned here are stored as usual until they move;</li>
 *   <li>{@link #cut} (the last member): every row is dropped. Nothing is lost for good: profile rows are a view of the
 *       tracking log, and the profile job writes them again when it next folds the log.</li>
 * </ul>
 * Dropped rows are counted.
 */
public final class StoreCutoff {

    private volatile boolean cut;
    private volatile HazelcastInstance leaving;
    private final AtomicLong dropped = new AtomicLong();

    /** From now on the stores of this node write nothing. */
    public void cut() {
        cut = true;
    }

    /** From now on the stores of {@code member} write only rows of partitions it still owns. */
    public void leaving(HazelcastInstance member) {
        leaving = member;
    }

    public boolean isCut() {
        return cut;
    }

    /** Rows (stored or deleted) dropped since the cut or the start of leaving. */
    public long dropped() {
        return dropped.get();
    }

    /** Whether the node has begun to drop rows (cut, or leaving): only then is each row looked at. */
    boolean engaged() {
        return cut || leaving != null;
    }

    /** Whether the row of {@code key} (a map key) must be dropped instead of written; counts it when so. */
    boolean drops(Object key) {
        boolean drop = cut || (leaving != null && !ownedHere(leaving, key));
        if (drop) {
            dropped.incrementAndGet();
        }
        return drop;
    }

    private static boolean ownedHere(HazelcastInstance member, Object key) {
        try {
            Partition partition = member.getPartitionService().getPartition(key);
            return partition.getOwner() != null && partition.getOwner().localMember();
        } catch (HazelcastInstanceNotActiveException e) {
            return false;
        }
    }
}
