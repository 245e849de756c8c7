package com.profilegrid.node;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Tells the cluster's story in the node's log, one line a change: a member joined or left, and how many there are now
 * (Hazelcast's own member tables are at WARN by default).
 */
final class MembershipLog implements MembershipListener {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipLog.class);

    private MembershipLog() {
    }

    /** Starts logging {@code member}'s cluster changes; closing stops. */
    static AutoCloseable follow(HazelcastInstance member) {
        UUID registration = member.getCluster().addMembershipListener(new MembershipLog());
        LOG.info("Cluster '{}': {} member(s) {}", member.getConfig().getClusterName(),
                member.getCluster().getMembers().size(), member.getCluster().getMembers());
        return () -> {
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
    }
}
