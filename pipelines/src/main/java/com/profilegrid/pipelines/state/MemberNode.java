package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceImpl;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.spi.impl.NodeEngine;

/**
 * A member's node engine, for the few places that reach under Hazelcast's public API (the job's current execution,
 * the partition table's state, partition operations of our own): one unwrapping of the instance for all of them.
 */
public final class MemberNode {

    private MemberNode() {
    }

    /** The node engine of {@code member}; {@code null} when it is not a member's own instance (a client, a mock). */
    public static NodeEngine engineOf(HazelcastInstance member) {
        HazelcastInstanceImpl impl = member instanceof HazelcastInstanceProxy proxy ? proxy.getOriginal()
                : member instanceof HazelcastInstanceImpl own ? own : null;
        return impl == null ? null : impl.node.getNodeEngine();
    }
}
