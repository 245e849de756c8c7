package com.profilegrid.node.support;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.partition.InternalPartitionService;
import com.hazelcast.internal.partition.PartitionReplica;
import com.hazelcast.spi.impl.NodeEngine;
import com.profilegrid.pipelines.state.MemberNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Whether the partition table is settled: every replica has an owner and no migration runs, here or on the master.
 *
 * <p>Not {@code PartitionService.isClusterSafe()}: that also asks every member whether each backup holds the same
 * replica version as its owner, which under steady write load is seldom true at the instant it is asked (in the fault
 * suite's full stop under load, the checkpoints gated on it stored almost no position). What the node's background work must avoid
 * is partitions moving, not backups a few operations behind; the partition table answers exactly that, from this
 * member's table and one call to the master, without touching any replica.
 */
public final class Partitions {

    private Partitions() {
    }

    /** Whether no partition is migrating and every replica is owned, cluster-wide; false while that is unknown. */
    public static boolean settled(HazelcastInstance member) {
        NodeEngine engine = MemberNode.engineOf(member);
        if (engine == null) {
            return member.getPartitionService().isClusterSafe();
        }
        return ((InternalPartitionService) engine.getPartitionService())
                .isPartitionTableSafe();
    }

    /** The migrations queued on {@code member} (the master queues the cluster's); -1 where that is unknown. */
    public static long migrationsQueued(HazelcastInstance member) {
        NodeEngine engine = MemberNode.engineOf(member);
        return engine == null ? -1 : ((InternalPartitionService) engine.getPartitionService()).getMigrationQueueSize();
    }

    /**
     * The partitions whose owner in {@code member}'s partition table is the member {@code uuid}: after that member
     * left, the ones its backups have not taken over yet (empty on a client or a stopped member).
     */
    public static List<Integer> ownedBy(HazelcastInstance member, UUID uuid) {
        List<Integer> owned = new ArrayList<>();
        NodeEngine engine = MemberNode.engineOf(member);
        if (engine == null || !member.getLifecycleService().isRunning()) {
            return owned;
        }
        InternalPartitionService partitions = (InternalPartitionService) engine.getPartitionService();
        for (int id = 0; id < partitions.getPartitionCount(); id++) {
            PartitionReplica owner = partitions.getPartition(id, false).getOwnerReplicaOrNull();
            if (owner != null && owner.uuid().equals(uuid)) {
                owned.add(id);
            }
        }
        return owned;
    }
}
