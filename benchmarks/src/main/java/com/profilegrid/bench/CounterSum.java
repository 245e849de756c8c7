package com.profilegrid.bench;

import com.hazelcast.aggregation.Aggregator;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.Map;

/** Sums every event counter of one project's profiles: how many of its events are folded in. */
final class CounterSum implements Aggregator<Map.Entry<ProfileKey, Profile>, Long> {

    private static final long serialVersionUID = 1L;
    private final String project;
    private long sum;

    CounterSum(String project) {
        this.project = project;
    }

    @Override
    public void accumulate(Map.Entry<ProfileKey, Profile> entry) {
        if (entry.getKey().project().equals(project)) {
            for (long count : entry.getValue().eventCounts().values()) {
                sum += count;
            }
        }
    }

    @Override
    public void combine(Aggregator aggregator) {
        sum += ((CounterSum) aggregator).sum;
    }

    @Override
    public Long aggregate() {
        return sum;
    }
}
