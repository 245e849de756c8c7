package com.profilegrid.node.rebuild;

import com.hazelcast.aggregation.Aggregator;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Sums every event counter of a profiles map (of one project, or of all but some): how many events are folded into it. */
public final class EventCount implements Aggregator<Map.Entry<ProfileKey, Profile>, Long> {

    private static final long serialVersionUID = 1L;
    private final String project;
    private final HashSet<String> except;
    private long sum;

    /** @param project the project to count, or {@code null} for all */
    public EventCount(String project) {
        this(project, Set.of());
    }

    /**
     * @param project the project to count, or {@code null} for all
     * @param except  projects not to count
     */
    public EventCount(String project, Set<String> except) {
        this.project = project;
        this.except = new HashSet<>(except);
    }

    @Override
    public void accumulate(Map.Entry<ProfileKey, Profile> entry) {
        String of = entry.getKey().project();
        if ((project == null || project.equals(of)) && !except.contains(of)) {
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
