package com.profilegrid.node.rebuild;

import com.hazelcast.aggregation.Aggregator;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.Map;

/** Sums every event counter of a profiles map: how many events are folded into it. */
final class EventCount implements Aggregator<Map.Entry<ProfileKey, Profile>, Long> {

    private static final long serialVersionUID = 1L;
    private long sum;

    @Override
    public void accumulate(Map.Entry<ProfileKey, Profile> entry) {
        for (long count : entry.getValue().eventCounts().values()) {
            sum += count;
        }
    }

    @Override
    public void combine(Aggregator aggregator) {
        sum += ((EventCount) aggregator).sum;
    }

    @Override
    public Long aggregate() {
        return sum;
    }
}
