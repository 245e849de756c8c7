package com.profilegrid.node.rebuild;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.profilegrid.node.store.DurableProgressStore;
import com.profilegrid.pipelines.profile.DurableProgress;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Asked of every member by a rebuild about to switch readers: hold the log sources of {@code jobs} (for at most
 * {@code holdMillis}), tell where they stopped, or release them ({@link SourceHolds}). Answers, per job, where this
 * member's held processors stopped.
 */
public final class SourceHold implements Callable<Map<String, SourceHolds.Stops>>, HazelcastInstanceAware, Serializable {

    private static final long serialVersionUID = 1L;

    enum Action { HOLD, STOPS, RELEASE }

    private final Action action;
    private final List<String> jobs;
    private final long holdMillis;
    private transient HazelcastInstance member;

    private SourceHold(Action action, List<String> jobs, long holdMillis) {
        this.action = action;
        this.jobs = List.copyOf(jobs);
        this.holdMillis = holdMillis;
    }

    static SourceHold hold(List<String> jobs, Duration upTo) {
        return new SourceHold(Action.HOLD, jobs, upTo.toMillis());
    }

    static SourceHold stops(List<String> jobs) {
        return new SourceHold(Action.STOPS, jobs, 0);
    }

    static SourceHold release(List<String> jobs) {
        return new SourceHold(Action.RELEASE, jobs, 0);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.member = hazelcastInstance;
    }

    @Override
    public Map<String, SourceHolds.Stops> call() {
        Map<String, SourceHolds.Stops> answer = new HashMap<>();
        if (!(DurableProgress.of(member) instanceof DurableProgressStore store)) {
            return answer;
        }
        for (String job : jobs) {
            switch (action) {
                case HOLD -> store.holds().hold(job, Duration.ofMillis(holdMillis));
                case RELEASE -> store.holds().release(job);
                case STOPS -> answer.put(job, store.holds().stops(job));
            }
        }
        return answer;
    }
}
