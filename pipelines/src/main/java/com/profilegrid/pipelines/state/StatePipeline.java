package com.profilegrid.pipelines.state;

import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.ServiceFactories;
import com.hazelcast.jet.pipeline.ServiceFactory;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldableEvents;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.identity.ProjectLink;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.OrderedMapSink;
import com.profilegrid.pipelines.profile.OwnGenerations;
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.rules.ChangeSink;
import com.profilegrid.pipelines.rules.RuleBook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The profile job on bounded state ({@code docs/profile-state.md}): tracking events in, profiles out, with the state per
 * raw id and per profile in maps (evictable, stored, backed up, migrated with their partitions) rather than in Jet.
 * <ol>
 *   <li>per project, the identity graph ({@link IdentitySteps}: the clusters of ids in use, the rest read back from
 *       the recorded links when an event needs them): every id whose profile changes is told its
 *       new profile ({@link ToRawId.Decision});</li>
 *   <li>per raw id, on the raw-ids map: an event is applied once by its log position ({@link ApplyToRawId}); a decision
 *       points the id at its profile ({@link DecideRawId}) and moves the id's fold: retracted from the profile it left,
 *       added to the one it joined;</li>
 *   <li>per profile, on the profile-state map: each raw id's events are absorbed once by the raw id's version
 *       ({@link StepProfile}); a gap, a retract, or a replay the profile missed makes the profile again from the raw
 *       ids that point at it.</li>
 * </ol>
 * Every step is idempotent, so a replay from any position changes nothing twice; Jet's snapshot holds the source
 * positions and little else. Each map step takes its items in batches: a batch is
 * one read of its entries, then one operation per partition ({@link KeySteps}) running each key's steps in order, and
 * a processor's batches run one after the other. The readers' maps (profiles, and the id index) are read-through
 * caches of the state maps: each change deletes the readers' copy of the profile or id it changed, and the next read
 * loads what the state then holds.
 */
public final class StatePipeline {

    /** The name of the source stage (and vertex): its emitted count is how many log events the job has read. */
    public static final String SOURCE_STAGE = "tracking events";
    /**
     * The stage that sends an event with identity links on to its project's graph only when one of them is new to it
     * ({@link ForwardedLinks}); what it emits is what the project's graph receives.
     */
    public static final String NEW_LINKS_STAGE = "links new to this run";
    /** The stage of the identity graph per project. */
    public static final String IDENTITY_STAGE = "identity graph per project";
    /**
     * Items per batch of a map step: each batch is one operation per partition it touches (so a larger batch costs fewer
     * operations per item), and the batches of a processor run one after the other.
     */
    static final int MAX_BATCH = 1024;

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

        /**
         * Stores now what the state maps of {@code generation} hold in their write-behind queues (raw ids, then
         * profiles), on every member: once it returns, the tables reflect every change made to them before the call.
         */
        public static void flushState(HazelcastInstance member, Generation generation) {
            member.getMap(rawIdsMap(generation)).flush();
            member.getMap(statesMap(generation)).flush();
        }

        private static String suffix(Generation generation) {
            return generation.number() == 0 ? "" : "-g" + generation.number();
        }
    }

    /** A refused link's record to write ({@code reason}), or to withdraw ({@code null}). */
    record RefusalWrite(String key, String reason) {
    }

    /** A raw id whose profile changed (or that is new): its copy in the id index is dropped. */
    record IndexDrop(String rawKey) {
    }

    /**
     * The profile a step left ({@code null}: deleted), whose copy in the readers' map is dropped, and the changes the steps
     * that made it found (labels entered and exited, event triggers fired), to record.
     */
    record ProfileWrite(ProfileKey key, Profile profile, List<Change> changes, long due) {

        ProfileWrite(ProfileKey key, Profile profile) {
            this(key, profile, List.of(), -1);
        }

        ProfileWrite(ProfileKey key, Profile profile, List<Change> changes) {
            this(key, profile, changes, -1);
        }

        /** This write after earlier steps of the batch: their changes before its own, the earliest timer of all. */
        ProfileWrite after(List<Change> earlier, long earlierDue) {
            List<Change> all = new ArrayList<>(earlier);
            all.addAll(changes);
            return new ProfileWrite(key, profile, all, earliest(due, earlierDue));
        }

        /** Whether the change sink has something to record: changes, or a timer. */
        boolean recordable() {
            return !changes.isEmpty() || due >= 0;
        }
    }

    /** The earlier of two due instants (epoch ms), -1 meaning none. */
    static long earliest(long first, long second) {
        return first < 0 ? second : second < 0 ? first : Math.min(first, second);
    }

    /** What one identity step decided, and the links it followed for the first time (recorded by the step). */
    record Decided(List<ToRawId.Decision> decisions, List<RefusalWrite> refusals, DeadLetter dead,
                   List<ProjectLink> links) {
    }

    /** What one raw-id step sends on. */
    record RawIdStepped(List<ToProfile> toProfiles, IndexDrop index, DeadLetter dead) {
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
                .groupingKey(StatePipeline::rawKey)
                .filterUsingService(ServiceFactories.nonSharedService(context -> ForwardedLinks.startingNow()),
                        ForwardedLinks::goesOn)
                .setName(NEW_LINKS_STAGE)
                .groupingKey(record -> record.event().project())
                .mapUsingServiceAsyncBatched(service(context -> new IdentitySteps(context.hazelcastInstance())),
                        MAX_BATCH, (steps, items) -> steps.stepAll(items))
                .setName(IDENTITY_STAGE);

        StreamStage<RawIdStepped> raw = events
                .map(record -> (ToRawId) new ToRawId.Event(rawKey(record), record))
                .merge(identity.flatMap(decided -> Traversers.<ToRawId>traverseIterable(decided.decisions())))
                .groupingKey(ToRawId::rawKey)
                .mapUsingServiceAsyncBatched(service(context -> new RawIdSteps(context.hazelcastInstance(),
                                context.hazelcastInstance().getMap(maps.rawIds()), fold, Run.of(context))),
                        MAX_BATCH, (steps, items) -> steps.stepAll(items))
                .setName("apply to raw id");

        StreamStage<ProfileWrite> written = raw.flatMap(stepped -> Traversers.traverseIterable(stepped.toProfiles()))
                .groupingKey(ToProfile::key)
                .mapUsingServiceAsyncBatched(service(context -> new ProfileSteps(context.hazelcastInstance(),
                                context.hazelcastInstance().getMap(maps.rawIds()),
                                context.hazelcastInstance().getMap(maps.states()), fold, Run.of(context))),
                        MAX_BATCH, (steps, items) -> steps.stepAll(items))
                .setName("absorb into profile");
        // the readers' maps are read-through caches of the state maps: a change drops the cached copy, and the next
        // read loads the new one (FromStateLoader), so a profile is held whole once, not twice
        written.writeTo(OrderedMapSink.deleting(maps.profiles(), ProfileWrite::key));
        // labels entered and exited, event triggers fired: recorded, and the firings they cause decided, on the member
        written.filter(ProfileWrite::recordable)
                .map(write -> new ChangeLog.ProfileChanges(write.key(), write.profile(), write.changes(), write.due()))
                .writeTo(ChangeSink.build(generation));
        raw.filter(stepped -> stepped.index() != null).map(RawIdStepped::index)
                .writeTo(OrderedMapSink.deleting(maps.ids(), IndexDrop::rawKey));
        identity.flatMap(decided -> Traversers.traverseIterable(decided.refusals()))
                .writeTo(OrderedMapSink.build(maps.refusals(), RefusalWrite::key, RefusalWrite::reason));
        // a replay finds the letter there and keeps it, with the time it was first met (the sink is the clock's edge)
        identity.filter(decided -> decided.dead() != null).map(Decided::dead)
                .merge(raw.filter(stepped -> stepped.dead() != null).map(RawIdStepped::dead))
                .writeTo(OrderedMapSink.keepingFirst(DeadLetter.MAP, DeadLetter::key,
                        letter -> letter.withFirstSeen(Instant.now())));
        return pipeline;
    }

    /** The raw id an event belongs to before any identity decision: the key of its steps on the raw-ids map. */
    private static String rawKey(LogRecord record) {
        return GridMaps.projectKey(record.event().project(), Ids.primary(record.event()));
    }

    private static <S extends Batches<?, ?>> ServiceFactory<?, S> service(com.hazelcast.function.FunctionEx<
            com.hazelcast.jet.core.ProcessorSupplier.Context, S> create) {
        return ServiceFactories.nonSharedService(create, Batches::close);
    }

    /**
     * The identity step of one event on its project's graph: the decisions for every id whose profile changed, the
     * refusal records to write or withdraw, or a dead letter; with the links it followed for the first time (to
     * record). {@code revision} is what the graph's next change will carry. When the event is a replayed one (received
     * before this run of the job started) its clusters are announced once in the run: every id told its profile, every
     * refusal written, since the run that first decided its links may have stopped before its decisions reached the
     * raw ids. {@code null} when there is nothing to send.
     */
    static Decided decide(IdentityGraph graph, long epoch, String project, LogRecord record, boolean replayed) {
        List<Link> links = Ids.links(record.event());
        if (FoldableEvents.problem(record.event()).isPresent()) {
            return null;
        }
        List<ToRawId.Decision> decisions = new ArrayList<>();
        List<RefusalWrite> refusals = new ArrayList<>();
        List<ProjectLink> followed = new ArrayList<>(links.size());
        if (links.stream().anyMatch(graph::isNew)) {
            links.stream().filter(graph::isNew).forEach(link -> followed.add(new ProjectLink(project, link)));
            Set<IdentityGraph.Refusal> refusedBefore = Set.copyOf(graph.refusals());
            Map<String, IdentityGraph.Move> moves = new HashMap<>();
            try {
                for (Link link : links) {
                    graph.moves(link).forEach((id, move) -> moves.merge(id, move,
                            (first, then) -> new IdentityGraph.Move(first.from(), then.to())));
                }
            } catch (RuntimeException e) {
                return new Decided(decisions, refusals, DeadLetter.of(record, "identity graph failed: " + e), followed);
            }
            long revision = epoch + graph.revision();
            moves.forEach((id, move) -> {
                // an id that keeps its own profile (new to the graph, or moved away and back within the event) needs
                // no decision: its raw id already sends its events there, and no decision was ever sent for a new id
                // (every decision follows a recorded link, which a graph reads back before it decides)
                if (!(move.from().equals(id) && move.to().equals(id))) {
                    decisions.add(new ToRawId.Decision(GridMaps.projectKey(project, id), move.from(), move.to(), revision));
                }
            });
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
        }
        if (replayed) {
            long revision = epoch + graph.revision();
            for (Link link : links) {
                if (graph.markAnnounced(link.a())) {
                    graph.clusterOf(link.a()).forEach(id -> decisions.add(new ToRawId.Decision(
                            GridMaps.projectKey(project, id), null, graph.profileId(id), revision)));
                    graph.refusalsOf(link.a()).forEach(refusal -> refusals.add(new RefusalWrite(
                            GridMaps.projectKey(project, refusal.link().messageId()), refusal.reason())));
                }
            }
        }
        return decisions.isEmpty() && refusals.isEmpty() && followed.isEmpty() ? null
                : new Decided(decisions, refusals, null, followed);
    }

    /**
     * Runs each key's steps in order and answers each key's results: what the entries hold is read first with one
     * {@code getAll} on {@code reader} (it blocks; it loads evicted entries, which {@code prefetch}, when there is one,
     * has read ahead from the database in one query), then the keys of each partition take their steps in one
     * operation ({@link KeySteps}), which is given what was read.
     *
     * <p>Why the read first: a multi-key operation looks up which of its entries to load, loads them, and reads the
     * entries again as it reaches each key; the loads, and the writes of the keys before, can evict an entry of the
     * same batch in between (a tight budget did, in our small-heap test), and the steps then saw no entry where one
     * had been and started it over, losing its events. {@code getAll} keeps what it found and what it loaded.
     */
    static <K, V> CompletableFuture<Map<K, KeySteps.Results>> runSteps(IMap<K, V> map,
                                                                       Map<K, List<EntryProcessor<K, V, ?>>> steps,
                                                                       Executor reader, StatePrefetch prefetch,
                                                                       Run run) {
        return runSteps(map, steps, reader, prefetch, run, found -> CompletableFuture.completedFuture(steps));
    }

    /**
     * As {@link #runSteps(IMap, Map, Executor, StatePrefetch, Run)}, with the steps {@code refine} makes
     * from what the read found (same keys) in place of {@code steps}.
     */
    static <K, V> CompletableFuture<Map<K, KeySteps.Results>> runSteps(
            IMap<K, V> map, Map<K, List<EntryProcessor<K, V, ?>>> steps, Executor reader,
            StatePrefetch prefetch, Run run,
            java.util.function.Function<Map<K, V>, CompletableFuture<Map<K, List<EntryProcessor<K, V, ?>>>>> refine) {
        if (steps.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        Runnable[] forget = {() -> { }};
        // the keys are serialized and grouped once, on the reader, for the read-ahead, the read and the writes
        @SuppressWarnings("unchecked")
        KeysByPartition<K>[] grouped = new KeysByPartition[1];
        return CompletableFuture.supplyAsync(() -> {
            grouped[0] = BackedUpWrites.byPartition(map, steps.keySet());
            if (prefetch != null) {
                forget[0] = prefetch.prefetch(map.getName(), grouped[0]);
            }
            return BackedUpWrites.getAll(map, grouped[0]);
        }, reader).thenCompose(found -> refine.apply(found).thenCompose(refined ->
                BackedUpWrites.submitByPartition(map, refined.keySet().equals(steps.keySet()) ? grouped[0]
                        : BackedUpWrites.byPartition(map, refined.keySet()), own -> {
                    // each partition's operation carries only its keys' steps and entries
                    Map<K, List<EntryProcessor<K, V, ?>>> ownSteps = new HashMap<>(own.size() * 2);
                    Map<K, V> was = new HashMap<>(own.size() * 2);
                    own.forEach(key -> {
                        ownSteps.put(key, refined.get(key));
                        V value = found.get(key);
                        if (value != null) {
                            was.put(key, value);
                        }
                    });
                    return new KeySteps<>(ownSteps, was, run, map.getName());
                }))).whenComplete((results, failure) -> forget[0].run());
    }

    /**
     * Batches of one processor run one after the other (the next starts when the one before has succeeded), so the
     * steps of a key keep their order across batches. After a failure every later batch fails without running:
     * applying a later position after a failed earlier one would make a replay skip the earlier one for good, whereas
     * failing them lets the job restart from its snapshot and replay all of them in order.
     */
    abstract static class Batches<T, R> {
        private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
        /** Runs the blocking reads of this processor's batches (one at a time, as the batches). */
        final ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "profilegrid-batch-reader");
            thread.setDaemon(true);
            return thread;
        });
        /** The member's read-ahead of a batch's stored entries, if its maps have stores. */
        final StatePrefetch prefetch;
        /** The run of the job these batches belong to ({@link Run#NONE}: outside a job). */
        final Run run;

        Batches(HazelcastInstance member, Run run) {
            this.prefetch = (StatePrefetch) member.getUserContext().get(StatePrefetch.USER_CONTEXT_KEY);
            this.run = run;
        }

        void close() {
            reader.shutdownNow();
        }

        final CompletableFuture<List<R>> stepAll(List<T> items) {
            CompletableFuture<List<R>> next = tail.thenCompose(ignored -> run(items));
            tail = next;
            return next;
        }

        /** The output per item, in the items' order ({@code null}: nothing to send on). */
        abstract CompletableFuture<List<R>> run(List<T> items);
    }

    /** The raw-id step: each batch's events and decisions on the raw-ids map, one operation per partition. */
    static final class RawIdSteps extends Batches<ToRawId, RawIdStepped> {
        private final IMap<String, RawIdEntry> rawIds;
        private final ProfileFold fold;

        RawIdSteps(HazelcastInstance member, IMap<String, RawIdEntry> rawIds, ProfileFold fold, Run run) {
            super(member, run);
            this.rawIds = rawIds;
            this.fold = fold;
        }

        @Override
        CompletableFuture<List<RawIdStepped>> run(List<ToRawId> items) {
            List<RawIdStepped> out = new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
            Map<String, List<EntryProcessor<String, RawIdEntry, ?>>> steps = new HashMap<>();
            int[] positions = new int[items.size()];
            for (int i = 0; i < items.size(); i++) {
                ToRawId item = items.get(i);
                if (item instanceof ToRawId.Event event) {
                    Optional<FoldableEvents.Problem> problem = FoldableEvents.problem(event.record().event());
                    if (problem.isPresent()) {
                        out.set(i, new RawIdStepped(List.of(), null,
                                DeadLetter.of(event.record(), "cannot fold: " + problem.get())));
                        positions[i] = -1;
                        continue;
                    }
                }
                List<EntryProcessor<String, RawIdEntry, ?>> own = steps.computeIfAbsent(item.rawKey(), key -> new ArrayList<>(2));
                positions[i] = own.size();
                own.add(item instanceof ToRawId.Event event ? new ApplyToRawId(event.record(), fold)
                        : new DecideRawId(((ToRawId.Decision) item).to(), ((ToRawId.Decision) item).revision()));
            }
            return runSteps(rawIds, steps, reader, prefetch, run).thenApply(results -> {
                for (int i = 0; i < items.size(); i++) {
                    if (positions[i] < 0) {
                        continue;
                    }
                    ToRawId item = items.get(i);
                    Object result = results.get(item.rawKey()).get(positions[i]);
                    out.set(i, item instanceof ToRawId.Event event ? applied(event, (ApplyToRawId.Outcome) result)
                            : decided((ToRawId.Decision) item, (DecideRawId.Result) result));
                }
                return out;
            });
        }

        private static RawIdStepped applied(ToRawId.Event item, ApplyToRawId.Outcome outcome) {
            LogRecord record = item.record();
            if (outcome.failure() != null) {
                return new RawIdStepped(List.of(), null, DeadLetter.of(record, outcome.failure()));
            }
            String rawId = GridMaps.idOf(item.rawKey());
            ProfileKey profile = new ProfileKey(GridMaps.projectOf(item.rawKey()), outcome.profileId());
            if (!outcome.applied()) {
                return new RawIdStepped(List.of(new ToProfile.CatchUp(profile, rawId, record.event())), null, null);
            }
            return new RawIdStepped(List.of(new ToProfile.Absorb(profile, rawId, outcome.version(), record.event())),
                    outcome.version() == 1 ? new IndexDrop(item.rawKey()) : null, null);
        }

        private static RawIdStepped decided(ToRawId.Decision item, DecideRawId.Result result) {
            String project = GridMaps.projectOf(item.rawKey());
            String rawId = GridMaps.idOf(item.rawKey());
            RawIdEntry now = result.now();
            if (now.profileRevision() != item.revision()) {
                // older than what the id follows; its profile it left may still hold the id (the run that sent the
                // newer decision may have stopped before the retract reached it)
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
                if (result.before() != null) {
                    left.add(result.before());
                }
                left.remove(current);
                left.forEach(from -> out.add(new ToProfile.Retract(new ProfileKey(project, from), rawId)));
                out.add(new ToProfile.Add(new ProfileKey(project, current), rawId, now));
            }
            return new RawIdStepped(out, new IndexDrop(item.rawKey()), null);
        }
    }

    /**
     * The profile step. A profile's absorbs and adds of a batch run as one {@link KeySteps} run, one operation per
     * partition; a profile with a retract or a catch-up in the batch, or whose run stopped at a gap, takes its (other)
     * items one at a time, since those read the raw-ids map first.
     */
    static final class ProfileSteps extends Batches<ToProfile, ProfileWrite> {
        /** How often a remake starts over when the state changed between its read and its write. */
        static final int REMAKE_ATTEMPTS = 10;
        private final IMap<String, RawIdEntry> rawIds;
        private final IMap<ProfileKey, ProfileState> states;
        private final ProfileFold fold;
        /** The member's labels, which a remade profile is evaluated against ({@code null}: none). */
        private final RuleBook labels;

        ProfileSteps(HazelcastInstance member, IMap<String, RawIdEntry> rawIds, IMap<ProfileKey, ProfileState> states,
                     ProfileFold fold) {
            this(member, rawIds, states, fold, Run.NONE);
        }

        ProfileSteps(HazelcastInstance member, IMap<String, RawIdEntry> rawIds, IMap<ProfileKey, ProfileState> states,
                     ProfileFold fold, Run run) {
            super(member, run);
            this.rawIds = rawIds;
            this.states = states;
            this.fold = fold;
            this.labels = RuleBook.of(member);
        }

        @Override
        CompletableFuture<List<ProfileWrite>> run(List<ToProfile> items) {
            List<ProfileWrite> out = new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
            Map<ProfileKey, List<Integer>> byKey = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) {
                byKey.computeIfAbsent(items.get(i).key(), key -> new ArrayList<>(2)).add(i);
            }
            Map<ProfileKey, List<EntryProcessor<ProfileKey, ProfileState, ?>>> steps = new HashMap<>();
            List<CompletableFuture<?>> runs = new ArrayList<>();
            byKey.forEach((key, indices) -> {
                List<EntryProcessor<ProfileKey, ProfileState, ?>> own = new ArrayList<>(indices.size());
                for (int index : indices) {
                    StepProfile step = stepOf(items.get(index));
                    if (step == null) {
                        runs.add(oneByOne(items, indices, 0, out));
                        return;
                    }
                    own.add(step);
                }
                steps.put(key, own);
            });
            runs.add(runSteps(states, steps, reader, prefetch, run,
                    found -> withSealedVersions(items, byKey, steps, found)).thenCompose(results -> {
                List<CompletableFuture<?>> rest = new ArrayList<>();
                results.forEach((key, result) -> {
                    List<Integer> indices = byKey.get(key);
                    StepProfile.Stepped last = result.get(result.ran() - 1);
                    int at = indices.get(result.ran() - 1);
                    List<Change> earlier = new ArrayList<>();
                    long earlierDue = -1;
                    for (int i = 0; i < result.ran() - 1; i++) {
                        StepProfile.Stepped before = result.get(i);
                        earlier.addAll(before.changeList());
                        earlierDue = earliest(earlierDue, before.due());
                    }
                    long due = earlierDue;
                    if (!last.halts()) {
                        earlier.addAll(last.changeList());
                        out.set(at, new ProfileWrite(key, last.profile(), earlier, earliest(due, last.due())));
                        rest.add(seal(key, last.toSeal(), last.memberChunks()));
                        return;
                    }
                    // a gap (make the profile again) or an unlisted id (read its entry): settle it, then go on
                    rest.add(settle(items.get(at), last).thenCompose(write -> {
                        out.set(at, write == null ? new ProfileWrite(key, last.profile(), earlier, due)
                                : write.after(earlier, due));
                        return oneByOne(items, indices, result.ran(), out);
                    }));
                });
                return CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new));
            }));
            return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(ignored -> out);
        }

        private StepProfile stepOf(ToProfile item) {
            return stepOf(item, ProfileState.UNREAD);
        }

        /** The version of a raw id that {@code profile} holds without listing it, as {@code entry} says (0: none). */
        private static long sealedOf(RawIdEntry entry, ProfileKey profile) {
            return entry == null ? 0 : entry.sealedFor(profile.profileId());
        }

        /**
         * The batch's steps, those of raw ids a profile with member chunks does not list (as its state was read) given
         * the version sealed on the id's entry, read now for all of them at once: otherwise each would stop its
         * profile's run ({@link ProfileState.Step#UNLISTED}) and take two more operations. The state cannot change
         * before the steps run (only this processor steps these profiles, one batch at a time), so what was read
         * still holds.
         */
        private CompletableFuture<Map<ProfileKey, List<EntryProcessor<ProfileKey, ProfileState, ?>>>> withSealedVersions(
                List<ToProfile> items, Map<ProfileKey, List<Integer>> byKey,
                Map<ProfileKey, List<EntryProcessor<ProfileKey, ProfileState, ?>>> steps, Map<ProfileKey, ProfileState> found) {
            Set<String> unlisted = new HashSet<>();
            Set<ProfileKey> keys = new HashSet<>();
            steps.keySet().forEach(key -> {
                ProfileState state = found.get(key);
                if (state != null && state.memberChunks() > 0) {
                    byKey.get(key).forEach(index -> {
                        if (!state.absorbed().containsKey(items.get(index).rawId())) {
                            unlisted.add(GridMaps.projectKey(key.project(), items.get(index).rawId()));
                            keys.add(key);
                        }
                    });
                }
            });
            if (unlisted.isEmpty()) {
                return CompletableFuture.completedFuture(steps);
            }
            return rawIds.submitToKeys(unlisted, new ReadEntry<>()).toCompletableFuture().thenApply(entries -> {
                Map<ProfileKey, List<EntryProcessor<ProfileKey, ProfileState, ?>>> refined = new HashMap<>(steps);
                keys.forEach(key -> {
                    List<EntryProcessor<ProfileKey, ProfileState, ?>> own = new ArrayList<>();
                    for (int index : byKey.get(key)) {
                        ToProfile item = items.get(index);
                        String rawKey = GridMaps.projectKey(key.project(), item.rawId());
                        RawIdEntry entry = entries.get(rawKey);
                        own.add(!unlisted.contains(rawKey) ? stepOf(item) : stepOf(item, sealedOf(entry, key)));
                    }
                    refined.put(key, own);
                });
                return refined;
            });
        }

        /** The step of an absorb or an add ({@code null} for the others), with the version sealed on its raw id. */
        private StepProfile stepOf(ToProfile item, long sealed) {
            if (item instanceof ToProfile.Absorb absorb) {
                return StepProfile.absorb(absorb.rawId(), absorb.version(), sealed, absorb.event(), fold);
            }
            if (item instanceof ToProfile.Add add) {
                return StepProfile.add(add.rawId(), add.entry(), sealed, fold);
            }
            return null;
        }

        /** The items at {@code indices} from {@code from} on, each after the one before. */
        private CompletableFuture<?> oneByOne(List<ToProfile> items, List<Integer> indices, int from, List<ProfileWrite> out) {
            CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
            for (int i = from; i < indices.size(); i++) {
                int index = indices.get(i);
                // a run of retracts (a cluster moving away from the profile, one decision per id) makes the profile
                // again once, at its last: each would read every raw id the profile keeps
                List<String> retracted = new ArrayList<>();
                while (items.get(indices.get(i)) instanceof ToProfile.Retract && i + 1 < indices.size()
                        && items.get(indices.get(i + 1)) instanceof ToProfile.Retract) {
                    retracted.add(items.get(indices.get(i)).rawId());
                    i++;
                }
                int last = indices.get(i);
                chain = chain.thenCompose(ignored -> retracted.isEmpty() ? step(items.get(last))
                        : retractAll(items.get(last), retracted)).thenAccept(write -> out.set(last, write));
            }
            return chain;
        }

        /** The retract {@code last} and those of {@code before} (same profile) at once. */
        private CompletableFuture<ProfileWrite> retractAll(ToProfile last, List<String> before) {
            return states.getAsync(last.key()).toCompletableFuture().thenCompose(state -> {
                boolean holds = state != null && (state.memberChunks() > 0 || state.absorbed().containsKey(last.rawId())
                        || before.stream().anyMatch(state.absorbed()::containsKey));
                return holds ? remake(last.key(), null, last.rawId()) : CompletableFuture.completedFuture(null);
            });
        }

        CompletableFuture<ProfileWrite> step(ToProfile item) {
            StepProfile step = stepOf(item);
            if (step != null) {
                return states.submitToKey(item.key(), step).toCompletableFuture().thenCompose(stepped -> settle(item, stepped));
            }
            return states.getAsync(item.key()).toCompletableFuture().thenCompose(state -> item instanceof ToProfile.Retract
                    ? retract(item, state) : catchUp((ToProfile.CatchUp) item, state));
        }

        /**
         * The write of an absorb's or an add's step: once the ids it found over the listing bound are sealed; after a
         * gap, the profile made again; for an id the state does not list, the step taken again with the version sealed
         * on the id's entry (read now: see {@link ProfileState.Step#UNLISTED}).
         */
        private CompletableFuture<ProfileWrite> settle(ToProfile item, StepProfile.Stepped stepped) {
            if (stepped.gap()) {
                // the remake folds the event in without deciding its triggers: they are decided here
                TrackingEvent event = item instanceof ToProfile.Absorb absorb ? absorb.event() : null;
                return remake(item.key(), item.rawId(), null).thenApply(write -> withEventChanges(write, null, event));
            }
            if (stepped.unlisted()) {
                String rawKey = GridMaps.projectKey(item.key().project(), item.rawId());
                return rawIds.submitToKey(rawKey, new ReadEntry<>()).toCompletableFuture().thenCompose(entry -> {
                    return states.submitToKey(item.key(), stepOf(item, sealedOf(entry, item.key()))).toCompletableFuture();
                }).thenCompose(again -> settle(item, again));
            }
            return seal(item.key(), stepped.toSeal(), stepped.memberChunks())
                    .thenApply(ignored -> new ProfileWrite(item.key(), stepped.profile(), stepped.changeList(),
                            stepped.due()));
        }

        /**
         * Seals the raw ids a step found over the listing bound ({@link ProfileState}): records them in the profile's
         * last member chunk, then on their entries, then stops listing those whose entries took it. Nothing to do for
         * a step that found the state within the bound.
         */
        CompletableFuture<Void> seal(ProfileKey key, Map<String, Long> seal, int memberChunks) {
            if (seal.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            int chunk = Math.max(0, memberChunks - 1);
            return states.submitToKey(ProfileState.membersKey(key, chunk), new MemberSteps.AddMembers(seal))
                    .toCompletableFuture().thenCompose(size -> {
                        Map<String, Long> held = new HashMap<>();
                        seal.forEach((rawId, version) -> held.put(GridMaps.projectKey(key.project(), rawId), version));
                        return BackedUpWrites.submitToKeys(rawIds, held.keySet(),
                                        new SealRawId(rawIds.getName(), key.profileId(), held))
                                .thenCompose(results -> {
                            Map<String, Long> sealed = new HashMap<>();
                            seal.forEach((rawId, version) -> {
                                if (Boolean.TRUE.equals(results.get(GridMaps.projectKey(key.project(), rawId)))) {
                                    sealed.put(rawId, version);
                                }
                            });
                            int chunks = size >= ProfileState.CHUNK_SIZE ? chunk + 2 : chunk + 1;
                            return states.submitToKey(key, new MemberSteps.Unlist(sealed, chunks)).toCompletableFuture();
                        });
                    }).thenApply(ignored -> null);
        }

        /**
         * The raw id left this profile: made again without it when the profile lists it, or when it has member
         * chunks (it may hold the id sealed; the id's entry no longer says so, the decision cleared it).
         */
        private CompletableFuture<ProfileWrite> retract(ToProfile item, ProfileState state) {
            if (state == null || !state.absorbed().containsKey(item.rawId()) && state.memberChunks() == 0) {
                return CompletableFuture.completedFuture(null);
            }
            return remake(item.key(), null, item.rawId());
        }

        /**
         * A replayed event: the profile may have missed it (the job stopped between the two steps), and the changes it
         * caused are answered again, since their record may have been lost with the run that decided them (a member
         * died between the step and the change sink).
         */
        private CompletableFuture<ProfileWrite> catchUp(ToProfile.CatchUp item, ProfileState state) {
            String rawKey = GridMaps.projectKey(item.key().project(), item.rawId());
            return rawIds.submitToKey(rawKey, new ReadEntry<>()).toCompletableFuture().thenCompose(entry -> {
                long have = state == null ? 0 : state.absorbed().getOrDefault(item.rawId(), sealedOf(entry, item.key()));
                boolean behind = entry != null && entry.version() > have
                        && entry.currentProfileId().equals(item.key().profileId());
                CompletableFuture<ProfileWrite> caughtUp = behind ? remake(item.key(), item.rawId(), null)
                        : CompletableFuture.completedFuture(new ProfileWrite(item.key(), state == null ? null : state.profile()));
                return caughtUp.thenApply(write -> withEventChanges(write, state, item.event()));
            });
        }

        /**
         * {@code write} with the changes {@code event} causes, met again or folded in by a remake, and those
         * {@code before} (the state before the write) remembers: see {@link StepProfile#replayed}.
         */
        private ProfileWrite withEventChanges(ProfileWrite write, ProfileState before, TrackingEvent event) {
            if (event == null || write.profile() == null) {
                return write;
            }
            List<Change> own = StepProfile.replayed(labels, before, write.profile(), event);
            if (own.isEmpty()) {
                return write;
            }
            java.util.LinkedHashSet<Change> all = new java.util.LinkedHashSet<>(write.changes());
            all.addAll(own);
            return new ProfileWrite(write.key(), write.profile(), List.copyOf(all), write.due());
        }

        /**
         * Makes the profile again from the raw ids that point at it: those it holds, plus {@code include}, minus
         * {@code exclude}; each at the version its entry holds. Deletes it when none is left. The write is a compare and
         * set ({@link ReplaceState}): when the state changed after it was read, the remake starts over from the new
         * state, up to {@link #REMAKE_ATTEMPTS} times, and then fails the batch (the job restarts and replays).
         */
        private CompletableFuture<ProfileWrite> remake(ProfileKey key, String include, String exclude) {
            return remake(key, include, exclude, 1);
        }

        private CompletableFuture<ProfileWrite> remake(ProfileKey key, String include, String exclude, int attempt) {
            return states.getAsync(key).toCompletableFuture().thenCompose(state -> remade(key, state, include, exclude)
                    .thenCompose(made -> {
                        // the remake's changes are remembered like a step's, and so is what the state remembered:
                        // a replay answers them again (their record may be lost with this run)
                        List<Change> changes = made == null ? List.of() : remakeChanges(state, made);
                        ProfileState remade = made == null ? null : made.rememberingAs(state)
                                .remember(remakeStep(made), changes);
                        return states.submitToKey(key, new ReplaceState(state, remade)).toCompletableFuture()
                            .thenCompose(written -> !written ? remakeAgain(key, include, exclude, attempt)
                                    : unsealExcluded(key, exclude).thenCompose(unsealed -> remade == null
                                    ? CompletableFuture.completedFuture(new ProfileWrite(key, null))
                                    : seal(key, remade.overListed(fold.settings().maxListedRawIds()), remade.memberChunks())
                                    .thenApply(ignored -> new ProfileWrite(key, remade.profile(), changes,
                                            remakeDue(remade)))));
                    }));
        }

        /** The cause (and remembered step) of a remake: what the profile was made of. */
        private static String remakeStep(ProfileState remade) {
            return "remake:" + ProfileState.digest(remade.absorbed());
        }

        /**
         * The labels a remake changed, caused by what the profile was made of ({@code remake:<digest>}), so that the
         * same remake met again derives the same ids. A profile a remake deletes (its ids all moved on) exits
         * nothing: it joined another.
         */
        private List<Change> remakeChanges(ProfileState before, ProfileState remade) {
            if (labels == null) {
                return List.of();
            }
            Profile was = before == null ? Profile.empty(remade.profile().key()) : before.profile();
            return labels.changes(was, remade.profile(), null, remakeStep(remade));
        }

        /** The timer of a profile made again (rare: set whenever its labels can change by time). */
        private long remakeDue(ProfileState remade) {
            java.time.Instant due = labels == null ? null : labels.nextDue(remade.profile());
            return due == null ? -1 : due.toEpochMilli();
        }

        /**
         * After a remake without {@code exclude} (a retract): the id's entry no longer says the profile holds it. The
         * profile's batches run one after another, so a seal of the id begun before the retract has landed by now;
         * if the id left and came back meanwhile, without a new event, that seal passed its checks (same owner, same
         * version), and the add that the move back sent would take itself for a repeat (docs/profile-state.md, "A retract clears the id's seal").
         */
        private CompletableFuture<?> unsealExcluded(ProfileKey key, String exclude) {
            if (exclude == null) {
                return CompletableFuture.completedFuture(null);
            }
            Set<String> rawKey = Set.of(GridMaps.projectKey(key.project(), exclude));
            return BackedUpWrites.submitToKeys(rawIds, rawKey, SealRawId.unseal(rawIds.getName(), key.profileId(), rawKey));
        }

        /** The remake's next attempt after {@code attempt} found the state changed, or the failure after the last. */
        private CompletableFuture<ProfileWrite> remakeAgain(ProfileKey key, String include, String exclude, int attempt) {
            if (attempt >= REMAKE_ATTEMPTS) {
                return CompletableFuture.failedFuture(new IllegalStateException("profile " + key
                        + " changed under each of " + attempt + " attempts to make it again"));
            }
            return remake(key, include, exclude, attempt + 1);
        }

        /** The state made from the raw ids that point at {@code key} (see {@link #remake}); {@code null} when none does. */
        private CompletableFuture<ProfileState> remade(ProfileKey key, ProfileState state, String include, String exclude) {
            int chunks = state == null ? 0 : state.memberChunks();
            return members(key, chunks).thenCompose(sealed -> {
                Set<String> rawKeys = new HashSet<>();
                sealed.forEach(id -> rawKeys.add(GridMaps.projectKey(key.project(), id)));
                if (state != null) {
                    state.absorbed().keySet().forEach(id -> rawKeys.add(GridMaps.projectKey(key.project(), id)));
                }
                if (include != null) {
                    rawKeys.add(GridMaps.projectKey(key.project(), include));
                }
                if (exclude != null) {
                    rawKeys.remove(GridMaps.projectKey(key.project(), exclude));
                }
                return rawIds.submitToKeys(rawKeys, new ReadEntry<>()).toCompletableFuture();
            }).thenApply(entries -> {
                Map<String, RawIdEntry> own = new HashMap<>();
                entries.forEach((rawKey, entry) -> {
                    if (entry != null && entry.version() > 0 && entry.currentProfileId().equals(key.profileId())) {
                        own.put(GridMaps.idOf(rawKey), entry);
                    }
                });
                if (own.isEmpty()) {
                    return null;
                }
                ProfileState recomputed = ProfileState.recomputed(key, own, fold, chunks);
                // the labels are part of the profile: evaluated here as in a step
                return labels == null ? recomputed : recomputed.withProfile(labels.evaluate(recomputed.profile()));
            });
        }

        /** The raw ids the member chunks of {@code key} record (some may have left the profile since). */
        private CompletableFuture<Set<String>> members(ProfileKey key, int chunks) {
            if (chunks == 0) {
                return CompletableFuture.completedFuture(Set.of());
            }
            Set<ProfileKey> keys = new HashSet<>();
            for (int chunk = 0; chunk < chunks; chunk++) {
                keys.add(ProfileState.membersKey(key, chunk));
            }
            return states.submitToKeys(keys, new ReadEntry<>()).toCompletableFuture().thenApply(found -> {
                Set<String> ids = new HashSet<>();
                found.values().forEach(chunk -> {
                    if (chunk != null) {
                        ids.addAll(chunk.absorbed().keySet());
                    }
                });
                return ids;
            });
        }
    }
}
