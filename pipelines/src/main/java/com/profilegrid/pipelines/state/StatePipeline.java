package com.profilegrid.pipelines.state;

import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.fold.FoldableEvents;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.OrderedMapSink;
import com.profilegrid.pipelines.profile.OwnGenerations;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The profile job on bounded state ({@code docs/profile-state.md}): tracking events in, profiles out, with the state per
 * raw id and per profile in maps (evictable, stored, backed up, migrated with their partitions) rather than in Jet.
 * <ol>
 *   <li>per project, the identity graph (Jet state, {@link ProjectIdentity}): every id whose profile changes is told its
 *       new profile ({@link ToRawId.Decision});</li>
 *   <li>per raw id, on the raw-ids map: an event is applied once by its log position ({@link ApplyToRawId}); a decision
 *       points the id at its profile ({@link DecideRawId}) and moves the id's fold: retracted from the profile it left,
 *       added to the one it joined;</li>
 *   <li>per profile, on the profile-state map: each raw id's events are absorbed once by the raw id's version
 *       ({@link StepProfile}); a gap, a retract, or a replay the profile missed makes the profile again from the raw
 *       ids that point at it.</li>
 * </ol>
 * Every step is idempotent, so a replay from any position changes nothing twice; Jet's snapshot holds the source
 * positions, the identity graphs and the operations in flight. Each map step runs one operation at a time per key, in
 * order ({@link KeyedSequencer}). The profile after each step is written to the readers' map, the profile id of each
 * raw id to the id index.
 */
public final class StatePipeline {

    /** The name of the source stage (and vertex): its emitted count is how many log events the job has read. */
    public static final String SOURCE_STAGE = "tracking events";
    /** Operations in flight per processor of a map step. */
    static final int MAX_CONCURRENT_OPS = 256;

    /** The maps one generation of the view uses. */
    public record Maps(String rawIds, String states, String profiles, String ids, String refusals)
            implements java.io.Serializable {

        /** The raw-ids map of every generation is named by this prefix (and {@code -g<n>} after generation 0). */
        public static final String RAW_IDS = "raw-ids";
        /** The profile-state map of every generation is named by this prefix (and {@code -g<n>} after generation 0). */
        public static final String STATES = "profile-state";

        /** The maps of {@code generation}; refused links are recorded in {@code refusals}, shared by all. */
        public static Maps of(Generation generation, String refusals) {
            return new Maps(rawIdsMap(generation), statesMap(generation), generation.profilesMap(), generation.idsMap(),
                    refusals);
        }

        /** The raw-ids map of {@code generation}. */
        public static String rawIdsMap(Generation generation) {
            return RAW_IDS + suffix(generation);
        }

        /** The profile-state map of {@code generation}. */
        public static String statesMap(Generation generation) {
            return STATES + suffix(generation);
        }

        private static String suffix(Generation generation) {
            return generation.number() == 0 ? "" : "-g" + generation.number();
        }
    }

    /** A refused link's record to write ({@code reason}), or to withdraw ({@code null}). */
    record RefusalWrite(String key, String reason) {
    }

    /** A raw id's entry in the id index: the profile it belongs to. */
    record IndexWrite(String rawKey, String profileId) {
    }

    /** A profile to write to the readers' map ({@code profile}), or to delete ({@code null}). */
    record ProfileWrite(ProfileKey key, Profile profile) {
    }

    /** What one identity step decided. */
    record Decided(List<ToRawId.Decision> decisions, List<RefusalWrite> refusals, DeadLetter dead) {
    }

    /** What one raw-id step sends on. */
    record RawIdStepped(List<ToProfile> toProfiles, IndexWrite index, DeadLetter dead) {
    }

    private StatePipeline() {
    }

    /**
     * @param generation the number of the generation the maps belong to: events of a project whose readers have moved
     *                   on to a newer generation of their own are left to that generation's job
     */
    public static Pipeline build(StreamSource<LogRecord> source, ProfileFold fold, int generation, Maps maps) {
        Pipeline pipeline = Pipeline.create().setPreserveOrder(true);
        StreamStage<LogRecord> events = pipeline.readFrom(source).withoutTimestamps().setName(SOURCE_STAGE)
                .filterUsingService(ServiceFactories.sharedService(context -> new OwnGenerations(context.hazelcastInstance()),
                        OwnGenerations::close), (own, record) -> !own.movedOn(record.event().project(), generation))
                .setName("projects of this generation");

        StreamStage<Decided> identity = events
                .filter(record -> !Ids.links(record.event()).isEmpty())
                .groupingKey(record -> record.event().project())
                .mapStateful(ProjectIdentity::new, (state, project, record) -> decide(state, project, record))
                .setName("identity graph per project");

        StreamStage<RawIdStepped> raw = events
                .map(record -> (ToRawId) new ToRawId.Event(GridMaps.projectKey(record.event().project(),
                        Ids.primary(record.event())), record))
                .merge(identity.flatMap(decided -> Traversers.<ToRawId>traverseIterable(decided.decisions())))
                .groupingKey(ToRawId::rawKey)
                .mapUsingServiceAsync(service(context -> new RawIdSteps(context.hazelcastInstance().getMap(maps.rawIds()), fold)),
                        MAX_CONCURRENT_OPS, true, (steps, key, item) -> steps.step(item))
                .setName("apply to raw id");

        raw.flatMap(stepped -> Traversers.traverseIterable(stepped.toProfiles()))
                .groupingKey(ToProfile::key)
                .mapUsingServiceAsync(service(context -> new ProfileSteps(context.hazelcastInstance().getMap(maps.rawIds()),
                                context.hazelcastInstance().getMap(maps.states()), fold)),
                        MAX_CONCURRENT_OPS, true, (steps, key, item) -> steps.step(item))
                .setName("absorb into profile")
                .rebalance(ProfileWrite::key)
                .writeTo(OrderedMapSink.build(maps.profiles(), ProfileWrite::key, ProfileWrite::profile));
        raw.filter(stepped -> stepped.index() != null).map(RawIdStepped::index)
                .writeTo(OrderedMapSink.build(maps.ids(), IndexWrite::rawKey, IndexWrite::profileId));
        identity.flatMap(decided -> Traversers.traverseIterable(decided.refusals()))
                .writeTo(OrderedMapSink.build(maps.refusals(), RefusalWrite::key, RefusalWrite::reason));
        // a replay finds the letter there and keeps it, with the time it was first met (the sink is the clock's edge)
        identity.filter(decided -> decided.dead() != null).map(Decided::dead)
                .merge(raw.filter(stepped -> stepped.dead() != null).map(RawIdStepped::dead))
                .writeTo(Sinks.<DeadLetter, String, DeadLetter>mapWithMerging(DeadLetter.MAP, DeadLetter::key,
                        letter -> letter.withFirstSeen(Instant.now()), (kept, again) -> kept));
        return pipeline;
    }

    private static <S> ServiceFactory<?, S> service(com.hazelcast.function.FunctionEx<
            com.hazelcast.jet.core.ProcessorSupplier.Context, S> create) {
        return ServiceFactories.nonSharedService(create);
    }

    /**
     * The identity step of one event: the decisions for every id whose profile changed, the refusal records to write
     * or withdraw, or a dead letter. {@code null} (nothing to send) in the common case of links already known.
     */
    static Decided decide(ProjectIdentity state, String project, LogRecord record) {
        IdentityGraph graph = state.graph();
        List<ToRawId.Decision> decisions = new ArrayList<>();
        if (state.takeAnnouncement()) {
            long revision = state.revision();
            graph.ids().forEach(id -> decisions.add(new ToRawId.Decision(GridMaps.projectKey(project, id), null,
                    graph.profileId(id), revision)));
        }
        List<Link> links = Ids.links(record.event());
        if (links.stream().noneMatch(graph::isNew) || FoldableEvents.problem(record.event()).isPresent()) {
            return decisions.isEmpty() ? null : new Decided(decisions, List.of(), null);
        }
        Set<IdentityGraph.Refusal> refusedBefore = Set.copyOf(graph.refusals());
        Map<String, IdentityGraph.Move> moves = new HashMap<>();
        try {
            for (Link link : links) {
                graph.moves(link).forEach((id, move) -> moves.merge(id, move,
                        (first, then) -> new IdentityGraph.Move(first.from(), then.to())));
            }
        } catch (RuntimeException e) {
            return new Decided(decisions, List.of(), DeadLetter.of(record, "identity graph failed: " + e));
        }
        long revision = state.revision();
        moves.forEach((id, move) -> decisions.add(new ToRawId.Decision(GridMaps.projectKey(project, id), move.from(),
                move.to(), revision)));
        List<RefusalWrite> refusals = new ArrayList<>();
        Set<String> refusedMessages = new HashSet<>();
        graph.refusals().forEach(refusal -> refusedMessages.add(refusal.link().messageId()));
        // a late, older link can make the graph decide again and follow a link it refused before: withdraw its record
        for (IdentityGraph.Refusal before : refusedBefore) {
            if (!refusedMessages.contains(before.link().messageId())) {
                refusals.add(new RefusalWrite(GridMaps.projectKey(project, before.link().messageId()), null));
            }
        }
        for (IdentityGraph.Refusal refusal : graph.refusals()) {
            if (!refusedBefore.contains(refusal)) {
                refusals.add(new RefusalWrite(GridMaps.projectKey(project, refusal.link().messageId()), refusal.reason()));
            }
        }
        return new Decided(decisions, refusals, null);
    }

    /** The raw-id step, one operation at a time per raw id. */
    static final class RawIdSteps {
        private final IMap<String, RawIdEntry> rawIds;
        private final ProfileFold fold;
        private final KeyedSequencer sequencer = new KeyedSequencer();

        RawIdSteps(IMap<String, RawIdEntry> rawIds, ProfileFold fold) {
            this.rawIds = rawIds;
            this.fold = fold;
        }

        CompletableFuture<RawIdStepped> step(ToRawId item) {
            return sequencer.submit(item.rawKey(), () -> item instanceof ToRawId.Event event ? event(event)
                    : decision((ToRawId.Decision) item));
        }

        private CompletableFuture<RawIdStepped> event(ToRawId.Event item) {
            LogRecord record = item.record();
            Optional<FoldableEvents.Problem> problem = FoldableEvents.problem(record.event());
            if (problem.isPresent()) {
                return CompletableFuture.completedFuture(new RawIdStepped(List.of(), null,
                        DeadLetter.of(record, "cannot fold: " + problem.get())));
            }
            String project = GridMaps.projectOf(item.rawKey());
            String rawId = GridMaps.idOf(item.rawKey());
            return rawIds.submitToKey(item.rawKey(), new ApplyToRawId(record, fold)).toCompletableFuture().thenApply(outcome -> {
                if (outcome.failure() != null) {
                    return new RawIdStepped(List.of(), null, DeadLetter.of(record, outcome.failure()));
                }
                ProfileKey profile = new ProfileKey(project, outcome.profileId());
                if (!outcome.applied()) {
                    return new RawIdStepped(List.of(new ToProfile.CatchUp(profile, rawId)), null, null);
                }
                return new RawIdStepped(List.of(new ToProfile.Absorb(profile, rawId, outcome.version(), record.event())),
                        outcome.version() == 1 ? new IndexWrite(item.rawKey(), outcome.profileId()) : null, null);
            });
        }

        private CompletableFuture<RawIdStepped> decision(ToRawId.Decision item) {
            String project = GridMaps.projectOf(item.rawKey());
            String rawId = GridMaps.idOf(item.rawKey());
            CompletableFuture<RawIdEntry> before = rawIds.submitToKey(item.rawKey(), new ReadRawIds()).toCompletableFuture();
            return before.thenCompose(was -> rawIds.submitToKey(item.rawKey(), new DecideRawId(item.to(), item.revision()))
                    .toCompletableFuture().thenApply(now -> {
                        if (now.profileRevision() != item.revision()) {
                            // older than what the id follows; its profile it left may still hold the id (the run that
                            // sent the newer decision may have stopped before the retract reached it)
                            return item.from() == null || item.from().equals(now.currentProfileId()) || now.version() == 0
                                    ? new RawIdStepped(List.of(), null, null)
                                    : new RawIdStepped(List.of(new ToProfile.Retract(new ProfileKey(project, item.from()), rawId)),
                                    null, null);
                        }
                        String current = now.currentProfileId();
                        List<ToProfile> out = new ArrayList<>(3);
                        if (now.version() > 0) {
                            Set<String> left = new HashSet<>(2);
                            if (item.from() != null) {
                                left.add(item.from());
                            }
                            if (was != null) {
                                left.add(was.currentProfileId());
                            }
                            left.remove(current);
                            left.forEach(from -> out.add(new ToProfile.Retract(new ProfileKey(project, from), rawId)));
                            out.add(new ToProfile.Add(new ProfileKey(project, current), rawId, now));
                        }
                        return new RawIdStepped(out, new IndexWrite(item.rawKey(), current), null);
                    }));
        }
    }

    /** The profile step, one operation at a time per profile. */
    static final class ProfileSteps {
        private final IMap<String, RawIdEntry> rawIds;
        private final IMap<ProfileKey, ProfileState> states;
        private final ProfileFold fold;
        private final KeyedSequencer sequencer = new KeyedSequencer();

        ProfileSteps(IMap<String, RawIdEntry> rawIds, IMap<ProfileKey, ProfileState> states, ProfileFold fold) {
            this.rawIds = rawIds;
            this.states = states;
            this.fold = fold;
        }

        CompletableFuture<ProfileWrite> step(ToProfile item) {
            return sequencer.submit(item.key(), () -> {
                if (item instanceof ToProfile.Absorb absorb) {
                    return stepped(item, StepProfile.absorb(absorb.rawId(), absorb.version(), absorb.event(), fold));
                }
                if (item instanceof ToProfile.Add add) {
                    return stepped(item, StepProfile.add(add.rawId(), add.entry(), fold));
                }
                return states.getAsync(item.key()).toCompletableFuture().thenCompose(state -> item instanceof ToProfile.Retract
                        ? retract(item, state) : catchUp(item, state));
            });
        }

        private CompletableFuture<ProfileWrite> stepped(ToProfile item, StepProfile step) {
            return states.submitToKey(item.key(), step).toCompletableFuture().thenCompose(stepped -> stepped.gap()
                    ? remake(item.key(), item.rawId(), null)
                    : CompletableFuture.completedFuture(new ProfileWrite(item.key(), stepped.profile())));
        }

        private CompletableFuture<ProfileWrite> retract(ToProfile item, ProfileState state) {
            if (state == null || !state.absorbed().containsKey(item.rawId())) {
                return CompletableFuture.completedFuture(null);
            }
            return remake(item.key(), null, item.rawId());
        }

        /** A replayed event: the profile may have missed it (the job stopped between the two steps). */
        private CompletableFuture<ProfileWrite> catchUp(ToProfile item, ProfileState state) {
            String rawKey = GridMaps.projectKey(item.key().project(), item.rawId());
            return rawIds.submitToKey(rawKey, new ReadRawIds()).toCompletableFuture().thenCompose(entry -> {
                long have = state == null ? 0 : state.absorbed().getOrDefault(item.rawId(), 0L);
                boolean behind = entry != null && entry.version() > have
                        && entry.currentProfileId().equals(item.key().profileId());
                return behind ? remake(item.key(), item.rawId(), null)
                        : CompletableFuture.completedFuture(new ProfileWrite(item.key(), state == null ? null : state.profile()));
            });
        }

        /**
         * Makes the profile again from the raw ids that point at it: those it holds, plus {@code include}, minus
         * {@code exclude}; each at the version its entry holds. Deletes it when none is left.
         */
        private CompletableFuture<ProfileWrite> remake(ProfileKey key, String include, String exclude) {
            return states.getAsync(key).toCompletableFuture().thenCompose(state -> {
                Set<String> rawKeys = new HashSet<>();
                if (state != null) {
                    state.absorbed().keySet().forEach(id -> rawKeys.add(GridMaps.projectKey(key.project(), id)));
                }
                if (include != null) {
                    rawKeys.add(GridMaps.projectKey(key.project(), include));
                }
                if (exclude != null) {
                    rawKeys.remove(GridMaps.projectKey(key.project(), exclude));
                }
                return rawIds.submitToKeys(rawKeys, new ReadRawIds()).toCompletableFuture();
            }).thenCompose(entries -> {
                Map<String, RawIdEntry> own = new HashMap<>();
                entries.forEach((rawKey, entry) -> {
                    if (entry != null && entry.version() > 0 && entry.currentProfileId().equals(key.profileId())) {
                        own.put(GridMaps.idOf(rawKey), entry);
                    }
                });
                if (own.isEmpty()) {
                    return states.deleteAsync(key).toCompletableFuture().thenApply(ignored -> new ProfileWrite(key, null));
                }
                ProfileState remade = ProfileState.recomputed(key, own, fold);
                return states.setAsync(key, remade).toCompletableFuture()
                        .thenApply(ignored -> new ProfileWrite(key, remade.profile()));
            });
        }
    }
}
