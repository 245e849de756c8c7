package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.profilegrid.node.store.DurableProgressStore;
import com.profilegrid.pipelines.profile.DurableProgress;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Asked of every member: how far the source processors there have applied a job's events, per log shard
 * ({@link DurableProgressStore#appliedSoFar}). A rebuild has caught up once every shard is applied up to where the log
 * ended when it started.
 */
public final class AppliedPositions implements Callable<Map<Long, Long>>, HazelcastInstanceAware, Serializable {

    private static final long serialVersionUID = 1L;
    private final String job;
    private transient HazelcastInstance member;

    public AppliedPositions(String job) {
        this.job = job;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.member = hazelcastInstance;
    }

    @Override
    public Map<Long, Long> call() {
        DurableProgress progress = DurableProgress.of(member);
        return progress instanceof DurableProgressStore store ? store.appliedSoFar(job) : new HashMap<>();
    }
}
