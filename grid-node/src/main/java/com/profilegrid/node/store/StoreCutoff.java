package com.profilegrid.node.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a stopping node give up on writing profile rows when the database does not answer in time.
 *
 * <p>Hazelcast retries a failed write-behind store indefinitely, also while the last owner of a partition shuts down,
 * so a node whose database is gone would never stop. Once {@link #cut() cut}, the profile stores of the node drop what
 * they are given and count it. Nothing is lost for good: profile rows are a view of the tracking log, and the profile
 * job writes them again when it next folds the log (a cluster that keeps running holds them in the write-behind queues
 * of the partitions' new owners, so only the last member of a cluster ever drops rows).
 */
public final class StoreCutoff {

    private volatile boolean cut;
    private final AtomicLong dropped = new AtomicLong();

    /** From now on the stores of this node write nothing. */
    public void cut() {
        cut = true;
    }

    public boolean isCut() {
        return cut;
    }

    /** Rows (stored or deleted) dropped since the cut. */
    public long dropped() {
        return dropped.get();
    }

    /** Whether {@code rows} rows must be dropped instead of written; counts them when so. */
    boolean drops(int rows) {
        if (cut) {
            dropped.addAndGet(rows);
        }
        return cut;
    }
}
