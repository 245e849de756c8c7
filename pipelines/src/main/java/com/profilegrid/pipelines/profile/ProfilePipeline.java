package com.profilegrid.pipelines.profile;

import com.hazelcast.jet.Traverser;
import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.datamodel.Tuple2;
import com.hazelcast.jet.datamodel.Tuple3;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.pipeline.StreamStage;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.FoldableEvents;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.identity.Link;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static com.hazelcast.jet.datamodel.Tuple3.tuple3;

/**
 * The profile pipeline: tracking events in, profiles out. Three keyed stages, all state in Jet (so a restart
 * from a snapshot neither loses nor repeats an event):
 * <ol>
 *   <li>per project, the {@link IdentityGraph}: events that link ids update it, and every id whose profile
 *       changes is told its new profile id;</li>
 *   <li>per raw id, the fold of that id's own events and the profile it belongs to; each change is sent to
 *       that profile, and a move retracts the partial from the old profile;</li>
 *   <li>per profile, the partials of its raw ids; the profile is their merge, written whole.</li>
 * </ol>
 * Writes go through a sink partitioned by profile key, so one profile's writes stay in order. Jet does not keep
 * the order of items across the stateless steps between stages, so each raw id numbers its updates and the
 * profile stage ignores one that arrives after a newer one.
 */
public final class ProfilePipeline {

    /** The name of the source stage (and vertex): its emitted count is how many log events the job has read. */
    public static final String SOURCE_STAGE = "tracking events";
    static final String EVENT = "E";
    static final String PROFILE_ID = "C";
    static final String PUT = "P";
    static final String RETRACT = "R";
    static final String INDEX = "I";
    static final String REFUSAL = "X";
    static final String DELETED = "-";
    static final String DEAD = "D";

    private ProfilePipeline() {
    }

    /**
     * @param generation  the generation whose maps the profiles ({@link Generation#profilesMap()}) and the index of
     *                    every raw id ({@code project␟id}) to the id of its profile ({@link Generation#idsMap()}) are
     *                    written to; events of a project whose readers have moved on to a newer generation of
     *                    their own are left to that generation's job
     * @param refusalsMap map of refused identity links ({@code project␟messageId}) to the reason
     */
    public static Pipeline build(StreamSource<LogRecord> source, FoldSettings settings, Generation generation,
                                 String refusalsMap) {
        return build(source, new ProfileFold(settings), generation, refusalsMap);
    }

    /**
     * As {@link #build(StreamSource, FoldSettings, Generation, String)} with a given fold. An event the fold (or the
     * identity graph) cannot take is recorded in {@link DeadLetter#MAP} and skipped; the job goes on with the rest.
     */
    public static Pipeline build(StreamSource<LogRecord> source, ProfileFold fold, Generation generation,
                                 String refusalsMap) {
        int number = generation.number();
        // Keeps each key's items in order through the stateless steps between the keyed stages and the sinks.
        Pipeline pipeline = Pipeline.create().setPreserveOrder(true);
        // What ingest refuses, should an old log row still hold it, is dead-lettered by the fold per raw id and never
        // joins the identity graph. (Checked inside those stages: a stage of its own would carry every event once more.)
        StreamStage<LogRecord> events = pipeline.readFrom(source).withoutTimestamps().setName(SOURCE_STAGE)
                .filterUsingService(ServiceFactories.sharedService(context -> new OwnGenerations(context.hazelcastInstance()),
                        OwnGenerations::close), (own, record) -> !own.movedOn(record.event().project(), number))
                .setName("projects of this generation");

        StreamStage<Tuple3<String, String, Object>> identity = events
                .filter(record -> !Ids.links(record.event()).isEmpty())
                .groupingKey(record -> record.event().project())
                .flatMapStateful(IdentityState::new, (state, project, record) -> link(state.graph, project, record))
                .setName("identity graph per project");

        StreamStage<Tuple3<String, String, Object>> raw = events
                .map(record -> tuple3(EVENT, GridMaps.projectKey(record.event().project(), Ids.primary(record.event())), (Object) record))
                .merge(identity.filter(item -> item.f0().equals(PROFILE_ID)))
                .groupingKey(Tuple3::f1)
                .flatMapStateful(RawIdState::new, (state, key, item) -> rawId(fold, state, key, item))
                .setName("fold per raw id");

        StreamStage<Tuple3<String, String, Object>> profiles = raw
                .filter(item -> item.f0().equals(PUT) || item.f0().equals(RETRACT))
                .groupingKey(Tuple3::f1)
                .mapStateful(ProfileState::new, (state, key, item) -> profile(fold, state, key, item))
                .setName("merge per profile");

        profiles.rebalance(Tuple3::f1).writeTo(OrderedMapSink.build(generation.profilesMap(), ProfilePipeline::profileKey,
                item -> item.f2() instanceof Profile profile ? profile : null));
        raw.filter(item -> item.f0().equals(INDEX))
                .writeTo(OrderedMapSink.build(generation.idsMap(), Tuple3::f1, item -> (String) item.f2()));
        identity.filter(item -> item.f0().equals(REFUSAL))
                .writeTo(OrderedMapSink.build(refusalsMap, Tuple3::f1, item -> (String) item.f2()));
        // a replay finds the letter there and keeps it, with the time it was first met (the sink is the clock's edge)
        identity.filter(item -> item.f0().equals(DEAD)).merge(raw.filter(item -> item.f0().equals(DEAD)))
                .map(item -> (DeadLetter) item.f2())
                .writeTo(Sinks.<DeadLetter, String, DeadLetter>mapWithMerging(DeadLetter.MAP, DeadLetter::key,
                        letter -> letter.withFirstSeen(Instant.now()), (kept, again) -> kept));
        return pipeline;
    }

    private static Traverser<Tuple3<String, String, Object>> link(IdentityGraph graph, String project, LogRecord record) {
        List<Link> links = Ids.links(record.event());
        if (links.stream().noneMatch(graph::isNew) || FoldableEvents.problem(record.event()).isPresent()) {
            return Traversers.empty(); // the common case: links already known (the same visitor, signed in again)
        }
        Set<IdentityGraph.Refusal> refusedBefore = Set.copyOf(graph.refusals());
        Map<String, String> changed = new HashMap<>();
        try {
            for (Link link : links) {
                changed.putAll(graph.add(link));
            }
        } catch (RuntimeException e) {
            return Traversers.singleton(tuple3(DEAD, "", DeadLetter.of(record, "identity graph failed: " + e)));
        }
        List<Tuple3<String, String, Object>> out = new ArrayList<>();
        long revision = graph.revision();
        changed.forEach((id, profileId) -> out.add(tuple3(PROFILE_ID, GridMaps.projectKey(project, id), Tuple2.tuple2(profileId, revision))));
        List<IdentityGraph.Refusal> refused = graph.refusals();
        Set<String> refusedMessages = new HashSet<>();
        refused.forEach(refusal -> refusedMessages.add(refusal.link().messageId()));
        // a late, older link can make the graph decide again and follow a link it refused before: withdraw its record
        for (IdentityGraph.Refusal before : refusedBefore) {
            if (!refusedMessages.contains(before.link().messageId())) {
                out.add(tuple3(REFUSAL, GridMaps.projectKey(project, before.link().messageId()), null));
            }
        }
        for (IdentityGraph.Refusal refusal : refused) {
            if (!refusedBefore.contains(refusal)) {
                out.add(tuple3(REFUSAL, GridMaps.projectKey(project, refusal.link().messageId()), refusal.reason()));
            }
        }
        return Traversers.traverseIterable(out);
    }

    private static Traverser<Tuple3<String, String, Object>> rawId(ProfileFold fold, RawIdState state, String key,
                                                                 Tuple3<String, String, Object> item) {
        String project = GridMaps.projectOf(key);
        String rawId = GridMaps.idOf(key);
        List<Tuple3<String, String, Object>> out = new ArrayList<>(3);
        String current = state.profileId != null ? state.profileId : rawId;
        if (item.f0().equals(EVENT)) {
            LogRecord record = (LogRecord) item.f2();
            Optional<FoldableEvents.Problem> problem = FoldableEvents.problem(record.event());
            if (problem.isPresent()) {
                return Traversers.singleton(tuple3(DEAD, key, DeadLetter.of(record, "cannot fold: " + problem.get())));
            }
            boolean first = state.partial == null;
            Profile folded;
            try {
                Profile base = first ? Profile.empty(new ProfileKey(project, rawId)) : state.partial.profile();
                folded = fold.apply(base, record.event());
            } catch (RuntimeException e) {
                // the profile stays as it was; every other event goes on
                return Traversers.singleton(tuple3(DEAD, key, DeadLetter.of(record, "fold failed: " + e)));
            }
            state.partial = new EncodedProfile(folded);
            out.add(tuple3(PUT, GridMaps.projectKey(project, current), tuple3(rawId, ++state.version, state.partial)));
            if (first && state.profileId == null) {
                out.add(tuple3(INDEX, key, current));
            }
        } else {
            @SuppressWarnings("unchecked")
            Tuple2<String, Long> decision = (Tuple2<String, Long>) item.f2();
            if (decision.f1() <= state.profileIdRevision) {
                return Traversers.empty();
            }
            state.profileIdRevision = decision.f1();
            String next = decision.f0();
            state.profileId = next;
            if (!next.equals(current) && state.partial != null) {
                out.add(tuple3(RETRACT, GridMaps.projectKey(project, current), Tuple2.tuple2(rawId, ++state.version)));
                out.add(tuple3(PUT, GridMaps.projectKey(project, next), tuple3(rawId, ++state.version, state.partial)));
            }
            out.add(tuple3(INDEX, key, next));
        }
        return Traversers.traverseIterable(out);
    }

    @SuppressWarnings("unchecked")
    private static Tuple3<String, String, Object> profile(ProfileFold fold, ProfileState state, String key,
                                                          Tuple3<String, String, Object> item) {
        boolean changed;
        if (item.f0().equals(PUT)) {
            Tuple3<String, Long, EncodedProfile> update = (Tuple3<String, Long, EncodedProfile>) item.f2();
            changed = state.update(update.f0(), update.f1(), update.f2());
        } else {
            Tuple2<String, Long> retract = (Tuple2<String, Long>) item.f2();
            changed = state.update(retract.f0(), retract.f1(), null);
        }
        if (!changed) {
            return null;
        }
        if (state.partials.isEmpty()) {
            return tuple3(PUT, key, DELETED);
        }
        if (state.partials.size() == 1) {
            // the common case: one id, nothing to merge (the empty profile is merge's identity)
            return tuple3(PUT, key, state.partials.firstEntry().getValue().profile().withProfileId(GridMaps.idOf(key)));
        }
        Profile merged = Profile.empty(new ProfileKey(GridMaps.projectOf(key), GridMaps.idOf(key)));
        for (EncodedProfile partial : state.partials.values()) {
            merged = fold.merge(merged, partial.profile());
        }
        return tuple3(PUT, key, merged);
    }

    private static ProfileKey profileKey(Tuple3<String, String, Object> item) {
        return new ProfileKey(GridMaps.projectOf(item.f1()), GridMaps.idOf(item.f1()));
    }
}
