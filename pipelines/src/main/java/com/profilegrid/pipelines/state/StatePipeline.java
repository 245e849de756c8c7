package com.profilegrid.pipelines.state;

import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.map.IMap;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.OrderedMapSink;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The profile job on bounded state (step 1 and 2 of {@code docs/profile-state.md}), without identity moves yet: each
 * raw id is folded into its own profile. Experimental: no node runs it. Every event is applied to its raw id's entry
 * ({@link ApplyToRawId}), then, if new, absorbed into the profile the entry names ({@link AbsorbIntoProfile}), and
 * the profile is written to the readers' map. Both steps are idempotent, so a replay from any position (a restart
 * from a snapshot, or from the start of the log) changes nothing twice; Jet's snapshot holds the source positions and
 * the operations in flight.
 */
public final class StatePipeline {

    /** What the raw-id step found, for the profile step. */
    record Applied(LogRecord record, String rawKey, ApplyToRawId.Outcome outcome) {
    }

    private StatePipeline() {
    }

    public static Pipeline build(StreamSource<LogRecord> source, FoldSettings settings, String rawIdsMap,
                                 String stateMap, String profilesMap) {
        Pipeline pipeline = Pipeline.create().setPreserveOrder(true);
        pipeline.readFrom(source).withoutTimestamps()
                .groupingKey(record -> GridMaps.projectKey(record.event().project(), Ids.primary(record.event())))
                .mapUsingServiceAsync(steps(rawIdsMap), (steps, key, record) -> steps.<String, RawIdEntry, ApplyToRawId.Outcome>run(
                                key, new ApplyToRawId(record, settings))
                        .thenApply(outcome -> new Applied(record, key, outcome)))
                .setName("apply to raw id")
                .groupingKey(applied -> new ProfileKey(applied.record().event().project(), applied.outcome().profileId()))
                .mapUsingServiceAsync(ServiceFactories.nonSharedService(context -> new ProfileSteps(
                                context.hazelcastInstance().getMap(rawIdsMap), context.hazelcastInstance().getMap(stateMap),
                                settings)),
                        (steps, key, applied) -> steps.absorb(key, applied))
                .setName("absorb into profile")
                // each profile read back after its step, in order; written whole through the ordered sink
                .rebalance(Profile::key)
                .writeTo(OrderedMapSink.build(profilesMap, Profile::key, profile -> profile));
        return pipeline;
    }

    private static ServiceFactory<?, Steps> steps(String mapName) {
        return ServiceFactories.nonSharedService(context -> new Steps(context.hazelcastInstance().getMap(mapName)));
    }

    /**
     * The profile step, one at a time per profile: a new event is absorbed as its raw id's next version; a replayed one
     * (its raw id had applied it already) and a gap make the profile again from its raw id's entry when the profile is
     * behind it (the job stopped between the two steps). Without identity moves a profile has one raw id.
     */
    static final class ProfileSteps {
        private final IMap<String, RawIdEntry> rawIds;
        private final IMap<ProfileKey, ProfileState> states;
        private final FoldSettings settings;
        private final KeyedSequencer sequencer = new KeyedSequencer();

        ProfileSteps(IMap<String, RawIdEntry> rawIds, IMap<ProfileKey, ProfileState> states, FoldSettings settings) {
            this.rawIds = rawIds;
            this.states = states;
            this.settings = settings;
        }

        CompletableFuture<Profile> absorb(ProfileKey key, Applied applied) {
            return sequencer.submit(key, () -> {
                CompletableFuture<String> step = applied.outcome().applied()
                        ? states.submitToKey(key, new AbsorbIntoProfile(GridMaps.idOf(applied.rawKey()),
                        applied.outcome().version(), applied.record().event(), settings)).toCompletableFuture()
                        : CompletableFuture.completedFuture(ProfileState.Step.GAP.name());
                return step.thenCompose(done -> done.equals(ProfileState.Step.GAP.name()) ? catchUp(key, applied)
                                : CompletableFuture.completedFuture(null))
                        .thenCompose(ignored -> states.getAsync(key).toCompletableFuture())
                        .thenApply(ProfileState::profile);
            });
        }

        private CompletableFuture<Boolean> catchUp(ProfileKey key, Applied applied) {
            return rawIds.getAsync(applied.rawKey()).toCompletableFuture().thenCompose(entry -> states.submitToKey(key,
                    new CatchUpProfile(Map.of(GridMaps.idOf(applied.rawKey()), entry), settings)).toCompletableFuture());
        }
    }

    /** Entry processors on one map, one at a time per key. */
    static final class Steps {
        private final IMap<?, ?> map;
        private final KeyedSequencer sequencer = new KeyedSequencer();

        Steps(IMap<?, ?> map) {
            this.map = map;
        }

        @SuppressWarnings("unchecked")
        <K, V> IMap<K, V> map() {
            return (IMap<K, V>) map;
        }

        <K, V, R> CompletableFuture<R> run(K key, com.hazelcast.map.EntryProcessor<K, V, R> processor) {
            return sequencer.submit(key, () -> this.<K, V>map().submitToKey(key, processor).toCompletableFuture());
        }
    }
}
