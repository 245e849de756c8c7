package com.profilegrid.node.rebuild;

import com.hazelcast.aggregation.Aggregator;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.Map;

/** Sums every event counter of a profiles map (of one project, or of all): how many events are folded into it. */
public final class EventCount implements Aggregator<Map.Entry<ProfileKey, Profile>, Long> {

    private static final long serialVersionUID = 1L;
    private final String project;
    private long sum;

    /** @param project the project to count, or {@code null} for all */
    public EventCount(String project) {
        this.project = project;
    }

    @Override
    public void accumulate(Map.Entry<ProfileKey, Profile> entry) {
        if (project == null || project.equals(entry.getKey().project())) {
            for (long count : entry.getValue().eventCounts().values()) {
                sum += count;
            }
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
