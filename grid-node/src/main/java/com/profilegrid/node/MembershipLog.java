package com.profilegrid.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.node.support.Daemons;
import com.profilegrid.node.support.Partitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells the cluster's story in the node's log, one line a change: a member joined or left, and how many there are now
 * (Hazelcast's own member tables are at WARN by default).
 *
 * <p>It also watches the one thing after a member's loss that an operator cannot see elsewhere: the partition table
 * still naming the departed member. Its backups should take over its partitions within a second or two; while the
 * table names it, every operation on those partitions fails over and over ({@code TargetNotMemberException}) and a
 * graceful shutdown waits for them. So {@link #RECHECK} after a member left, and again every {@link #RECHECK} while it
 * lasts (at most {@link #RECHECKS} times), a WARN names the partitions still owned by it, with the cluster state and
 * the migrations pending; and the master says so, the same way, while the cluster's partitions have not settled
 * since the member left.
 */
final class MembershipLog implements MembershipListener {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipLog.class);
    static final Duration RECHECK = Duration.ofSeconds(30);
    static final int RECHECKS = 10;

    private final HazelcastInstance member;
    private final ScheduledExecutorService timer = Daemons.scheduler("profilegrid-membership");

    private MembershipLog(HazelcastInstance member) {
        this.member = member;
    }

    /** Starts logging {@code member}'s cluster changes; closing stops. */
    static AutoCloseable follow(HazelcastInstance member) {
        MembershipLog log = new MembershipLog(member);
        UUID registration = member.getCluster().addMembershipListener(log);
        LOG.info("Cluster '{}': {} member(s) {}", member.getConfig().getClusterName(),
                member.getCluster().getMembers().size(), member.getCluster().getMembers());
        return () -> {
            Daemons.stop(log.timer);
            if (member.getLifecycleService().isRunning()) {
                member.getCluster().removeMembershipListener(registration);
            }
        };
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        LOG.info("Member {} joined: {} member(s) now; partitions move to it", event.getMember().getAddress(),
                event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        LOG.info("Member {} left: {} member(s) remain; its partitions' backups take over", event.getMember().getAddress(),
                event.getMembers().size());
        recheck(event.getMember(), 1);
    }

    private void recheck(Member departed, int time) {
        if (time > RECHECKS || timer.isShutdown()) {
            return;
        }
        timer.schedule(() -> {
            List<Integer> stillOwned = Partitions.ownedBy(member, departed.getUuid());
            if (!stillOwned.isEmpty()) {
                LOG.warn("Member {} left {} s ago and this member's partition table still names it as the owner of "
                                + "partition(s) {} (master {}, cluster state {}, migrations queued on this member {}, -1: unknown): "
                                + "operations on them fail until Hazelcast repairs the table", departed.getAddress(),
                        RECHECK.toSeconds() * time, stillOwned,
                        member.getCluster().getMembers().iterator().next().getAddress(),
                        member.getCluster().getClusterState(), Partitions.migrationsQueued(member));
                recheck(departed, time + 1);
            } else if (member.getLifecycleService().isRunning()
                    && member.getCluster().getMembers().iterator().next().localMember()
                    && !member.getPartitionService().isClusterSafe()) {
                // seen once in a CI run: a member terminated right after it joined left the master committing a
                // migration to it for minutes, the cluster never safe, the profile job waiting for it
                LOG.warn("Member {} left {} s ago and the cluster's partitions have not settled since (this member is "
                                + "the master; migrations queued here {}): the profile job and graceful shutdowns wait "
                                + "until they do", departed.getAddress(), RECHECK.toSeconds() * time,
                        Partitions.migrationsQueued(member));
                recheck(departed, time + 1);
            }
        }, RECHECK.toMillis(), TimeUnit.MILLISECONDS);
    }
}
