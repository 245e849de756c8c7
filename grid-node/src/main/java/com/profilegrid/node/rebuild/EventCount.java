package com.profilegrid.node.rebuild;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import com.profilegrid.model.Generation;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;

/**
 * How many events a profile-state map holds folded in memory: the sum of every profile's event counters (entries
 * evicted to the database are not counted). Tests and benchmarks wait on it. It reads the state map, not the readers'
 * {@code profiles} map, which is a cache of it holding only what was read.
 *
 * <p>It sums each state's serialized event total in place (the {@code events} field of the compact record, beside the
 * packed state; see {@link com.profilegrid.pipelines.state.ProfileStateSerializer}), filtered on the key's
 * {@code project}, instead of deserializing every state, which took twice as long and was a tenth of a rebuild's
 * CPU.
 */
public final class EventCount {

    private EventCount() {
    }

    /** Events folded into {@code project}'s profiles of {@code states}, or into all of them if {@code project} is null. */
    public static long in(IMap<ProfileKey, ProfileState> states, String project) {
        Predicate<ProfileKey, ProfileState> of = project == null ? Predicates.alwaysTrue()
                : Predicates.equal("__key.project", project);
        Long sum = states.aggregate(Aggregators.longSum("events"), of);
        return sum == null ? 0 : sum;
    }

    /** Events folded into {@code project}'s profiles of the generation its readers use. */
    public static long folded(HazelcastInstance member, String project) {
        return in(member.getMap(StatePipeline.Maps.statesMap(Generation.active(member, project))), project);
    }
}
