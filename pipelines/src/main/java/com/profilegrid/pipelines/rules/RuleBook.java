package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.profilegrid.model.EventType;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.TrackingEvent;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A member's live copy of every project's labels and triggers, read, kept current by listeners on the
 * {@link LabelDefinition#MAP} and {@link TriggerDefinition#MAP} maps: the profile step asks it, on the partition thread,
 * which labels a profile is a member of and which event triggers an event fires, without a remote call; the firing
 * recorder asks it which triggers a change fires. Held in the member's user context ({@link #USER_CONTEXT_KEY}) with
 * the clock rules are evaluated by; a member without one evaluates no labels.
 */
public final class RuleBook {

    public static final String USER_CONTEXT_KEY = "profilegrid.rule-book";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final RuleParser parser;
    /** Rules given as JSON (a backfill's), read once. */
    private final Map<String, Rule> parsed = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f,
            true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Rule> eldest) {
            return size() > 64;
        }
    });
    private final Book<LabelDefinition, Rule> labels;
    private final Book<TriggerDefinition, Trigger> triggers;
    private final Map<String, Timed> timed = new ConcurrentHashMap<>();

    public RuleBook(Duration longestWindow, Clock clock) {
        this.parser = new RuleParser(longestWindow);
        TriggerParser triggerParser = new TriggerParser(parser);
        this.clock = clock;
        this.labels = new Book<>(LabelDefinition::project, LabelDefinition::name, label -> label.parsedRule(parser));
        this.triggers = new Book<>(TriggerDefinition::project, TriggerDefinition::name,
                trigger -> trigger.parsed(triggerParser));
    }

    /** The book the member holds in its user context, or {@code null}. */
    public static RuleBook of(HazelcastInstance member) {
        Object held = member.getUserContext().get(USER_CONTEXT_KEY);
        return held instanceof RuleBook book ? book : null;
    }

    /**
     * Starts following the member's labels and triggers maps: their listeners, and every {@link #RESYNC} a read of both
     * maps whole. A map listener can miss an event (a definition written to a partition whose new owner had not yet
     * learnt of the listener, right after a member joined: a member was seen in a fault test without a trigger its
     * peers held, and fired nothing for it); the maps are small, and what the book holds is then at most that old.
     */
    public AutoCloseable watch(HazelcastInstance member) {
        IMap<String, LabelDefinition> labelMap = member.getMap(LabelDefinition.MAP);
        IMap<String, TriggerDefinition> triggerMap = member.getMap(TriggerDefinition.MAP);
        AutoCloseable labelWatch = labels.watch(labelMap);
        AutoCloseable triggerWatch = triggers.watch(triggerMap);
        ScheduledExecutorService resync = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "profilegrid-rule-book-resync");
            thread.setDaemon(true);
            return thread;
        });
        resync.scheduleWithFixedDelay(() -> {
            try {
                labels.resync(labelMap);
                triggers.resync(triggerMap);
            } catch (RuntimeException e) {
                // the member is shutting down, or the cluster cannot answer now: the next round reads again
                member.getLoggingService().getLogger(RuleBook.class).fine("Cannot read the rule definitions now", e);
            }
        }, RESYNC.toMillis(), RESYNC.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            resync.shutdownNow();
            labelWatch.close();
            triggerWatch.close();
        };
    }

    /**
     * Makes the book hold what the member's map {@code mapName} (the labels' or the triggers') holds under {@code key}
     * now, read from the map, whatever its listener took in or missed: the admin API asks every member for this after
     * it writes a definition, and answers only when all have it. Returns whether the book now holds the map's value
     * (false for a definition this member cannot read, such as a rule whose window is longer than its visit
     * retention: the book holds none of that name).
     */
    public boolean refresh(HazelcastInstance member, String mapName, String key) {
        if (LabelDefinition.MAP.equals(mapName)) {
            return labels.refresh(member.getMap(LabelDefinition.MAP), key);
        }
        if (TriggerDefinition.MAP.equals(mapName)) {
            return triggers.refresh(member.getMap(TriggerDefinition.MAP), key);
        }
        throw new IllegalArgumentException("no definitions map named " + mapName);
    }

    /** How often a member reads the definitions' maps whole, beside their listeners. */
    static final Duration RESYNC = Duration.ofSeconds(5);

    /**
     * Takes in the definitions as the database holds them, before the member starts: a member that joins takes
     * partitions, and the job's steps with them, before it follows the maps ({@link #watch}), and must evaluate the
     * labels and triggers from its first step. {@link #watch} then brings the book up to date with the maps (a
     * definition the maps no longer hold is dropped).
     */
    public void preload(java.util.Collection<LabelDefinition> definedLabels,
                        java.util.Collection<TriggerDefinition> definedTriggers) {
        definedLabels.forEach(labels::put);
        definedTriggers.forEach(triggers::put);
    }

    /** Takes {@code label} in (as its map's listener does): for a book fed without a cluster. */
    public void accept(LabelDefinition label) {
        labels.put(label);
    }

    /** Takes {@code trigger} in (as its map's listener does): for a book fed without a cluster. */
    public void accept(TriggerDefinition trigger) {
        triggers.put(trigger);
    }

    /** The clock rules are evaluated by. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * The labels of its project that {@code profile} is a member of now. A rule that was valid when accepted but
     * cannot be read by this member (a shorter visit retention than the node that accepted it) is left out.
     */
    public Set<String> labelsOf(Profile profile) {
        return new LinkedHashSet<>(matching(profile));
    }

    /** The names of the labels of its project whose rules {@code profile} matches now, in name order. */
    private List<String> matching(Profile profile) {
        Instant now = clock.instant();
        List<String> members = new ArrayList<>();
        labels.of(profile.project()).forEach((name, rule) -> {
            if (rule.matches(profile, now)) {
                members.add(name);
            }
        });
        return members;
    }

    /** {@code profile} with the labels it is a member of now. */
    public Profile evaluate(Profile profile) {
        // most steps change no label: the members are listed, and a set made only when they differ from the profile's
        List<String> members = matching(profile);
        boolean same = members.size() == profile.labels().size() && profile.labels().containsAll(members);
        return same ? profile : profile.withLabels(Set.copyOf(members));
    }

    /**
     * {@code profile} with its membership of {@code label} alone evaluated now by {@code ruleJson} (the others as they
     * are): a backfill carries the rule it evaluates, since this member's copy of the definitions may not have it yet.
     */
    public Profile evaluateOnly(Profile profile, String label, String ruleJson) {
        Rule rule = parsed.computeIfAbsent(ruleJson, text -> {
            try {
                return parser.parse(JSON.readTree(text), "/rule");
            } catch (Exception e) {
                return null;
            }
        });
        boolean member = rule != null && rule.matches(profile, clock.instant());
        if (member == profile.labels().contains(label)) {
            return profile;
        }
        return member ? profile.withLabel(label) : profile.withoutLabel(label);
    }

    /**
     * What a step that took the profile from {@code before} to {@code after} (labels evaluated) changed, by
     * {@code cause}: each label exited and entered, in name order, then each event trigger that {@code event} (if
     * any) fires. A deleted label that leaves the profile is no exit: nobody left it.
     */
    public List<Change> changes(Profile before, Profile after, TrackingEvent event, String cause) {
        List<Change> changes = new ArrayList<>();
        // most steps change no label, and then the step keeps the very set it had (equals answers at once)
        if (!before.labels().equals(after.labels())) {
            Map<String, Rule> defined = labels.of(after.project());
            List<String> exited = new ArrayList<>();
            for (String label : before.labels()) {
                if (!after.labels().contains(label) && defined.containsKey(label)) {
                    exited.add(label);
                }
            }
            List<String> entered = new ArrayList<>();
            for (String label : after.labels()) {
                if (!before.labels().contains(label)) {
                    entered.add(label);
                }
            }
            // each kind in name order: only what changed is sorted
            exited.sort(null);
            entered.sort(null);
            exited.forEach(label -> changes.add(new Change(Change.Kind.EXITED, label, cause)));
            entered.forEach(label -> changes.add(new Change(Change.Kind.ENTERED, label, cause)));
        }
        if (event != null && event.type() == EventType.TRACK && event.eventName() != null) {
            List<Trigger> onEvent = new ArrayList<>();
            Set<String> tested = new HashSet<>();
            for (Trigger trigger : triggers.of(after.project()).values()) {
                if (trigger.on() instanceof Trigger.OnEvent on && on.event().equals(event.eventName())) {
                    onEvent.add(trigger);
                    if (on.where() != null) {
                        Rule.propertyNames(on.where(), tested);
                    }
                }
            }
            if (!onEvent.isEmpty()) {
                // the event's properties are read once, and only those a trigger's where tests
                Profile properties = asProfile(event, tested);
                Instant now = clock.instant();
                for (Trigger trigger : onEvent) {
                    if (((Trigger.OnEvent) trigger.on()).matches(event.eventName(), properties, after, now)) {
                        changes.add(new Change(Change.Kind.EVENT, trigger.name(), cause));
                    }
                }
            }
        }
        return changes;
    }

    /**
     * The first instant after now at which {@code profile}'s labels could change with time alone (a window's edge, an
     * age reached), or {@code null} when none can: where its timer is set.
     */
    public Instant nextDue(Profile profile) {
        Map<String, Rule> ofProject = labels.of(profile.project());
        if (ofProject.isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        Instant next = null;
        for (Rule rule : timed(profile.project(), ofProject)) {
            next = Rule.earlier(next, rule.nextChange(profile, now));
        }
        return next;
    }

    /**
     * The rules of {@code ofProject} that change with time alone, one of each kind of change ({@link
     * Rule#changesWith}): rules that differ only in a count change at the same instants. Made again when the
     * project's labels change (the book replaces their map).
     */
    private List<Rule> timed(String project, Map<String, Rule> ofProject) {
        Timed held = timed.get(project);
        if (held == null || held.of() != ofProject) {
            Map<Object, Rule> distinct = new LinkedHashMap<>();
            ofProject.values().forEach(rule -> {
                Object key = rule.changesWith();
                if (key != null) {
                    distinct.putIfAbsent(key, rule);
                }
            });
            held = new Timed(ofProject, List.copyOf(distinct.values()));
            timed.put(project, held);
        }
        return held.rules();
    }

    /** The rules that change with time of one version of a project's labels. */
    private record Timed(Map<String, Rule> of, List<Rule> rules) {
    }

    /**
     * The due instant to record after a step took a profile from {@code before} to {@code after}, in epoch
     * milliseconds, or -1 when none needs recording: the timer already set (from {@code before}) comes first, or
     * no label of the project can change by time alone. A timer that comes too early costs one evaluation that
     * finds nothing and sets the timer again.
     */
    public long dueToRecord(Profile before, Profile after) {
        Instant due = nextDue(after);
        if (due == null) {
            return -1;
        }
        Instant set = before.lastSeen() == null ? null : nextDue(before);
        return set != null && !due.isBefore(set) ? -1 : due.toEpochMilli();
    }

    /** The triggers of {@code project} by name. */
    public Map<String, Trigger> triggersOf(String project) {
        return triggers.of(project);
    }

    /** The triggers of {@code project} that {@code change} fires. */
    public List<Trigger> fired(String project, Change change) {
        List<Trigger> fired = new ArrayList<>();
        for (Trigger trigger : triggers.of(project).values()) {
            if (trigger.firedBy(change)) {
                fired.add(trigger);
            }
        }
        return fired;
    }

    /**
     * The event's properties named in {@code names} as those of a profile, for a trigger's {@code where}: each as the
     * JSON text of its value, the others skipped unread.
     */
    private static Profile asProfile(TrackingEvent event, Set<String> names) {
        Profile profile = Profile.empty(new ProfileKey(event.project(), "event"));
        if (names.isEmpty()) {
            return profile;
        }
        Map<String, PropertyValue> values = new HashMap<>();
        try (JsonParser parser = JSON.getFactory().createParser(event.properties())) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    if (names.contains(name)) {
                        values.put(name, new PropertyValue(JSON.readTree(parser).toString(), event.timestamp(),
                                event.messageId()));
                    } else {
                        parser.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            values.clear(); // properties that are not JSON have none to test (ingest refuses such events)
        }
        return new Profile(profile.project(), profile.profileId(), profile.identities(), values, profile.eventCounts(),
                profile.firstSeen(), profile.lastSeen(), profile.visits(), profile.recentEvents(), profile.labels(),
                profile.dailyCounts());
    }

    /**
     * Definitions of one map, read, per project and name, kept current by a listener.
     *
     * @param <D> the definition
     * @param <P> what it reads as
     */
    private static final class Book<D, P> implements EntryAddedListener<String, D>, EntryUpdatedListener<String, D>,
            EntryRemovedListener<String, D> {
        private final Function<D, String> project;
        private final Function<D, String> name;
        private final Function<D, P> read;
        private final Map<String, Map<String, P>> byProject = new ConcurrentHashMap<>();
        /** The definition each parsed one was read from, by key. */
        private final Map<String, D> held = new ConcurrentHashMap<>();

        Book(Function<D, String> project, Function<D, String> name, Function<D, P> read) {
            this.project = project;
            this.name = name;
            this.read = read;
        }

        Map<String, P> of(String ofProject) {
            return byProject.getOrDefault(ofProject, Map.of());
        }

        AutoCloseable watch(IMap<String, D> map) {
            UUID registration = map.addEntryListener(this, true);
            resync(map);
            return () -> map.removeEntryListener(registration);
        }

        /**
         * Makes the book hold what {@code map} holds: definitions read from it are taken in unless the listener took
         * in a change of theirs while the map was read (the event's is the newer), and definitions the book holds
         * that the map no longer does are dropped unless changed meanwhile. Reads that end the same change nothing.
         */
        synchronized void resync(IMap<String, D> map) {
            reading(changed -> {
                Map<String, D> read = new HashMap<>();
                map.values().forEach(definition -> read.put(key(definition), definition));
                read.forEach((key, definition) -> settle(key, definition, changed));
                for (String key : new ArrayList<>(held.keySet())) {
                    if (!read.containsKey(key)) {
                        settle(key, null, changed);
                    }
                }
                return null;
            });
        }

        /**
         * Makes the book hold {@code map}'s value under {@code key}, unless the listener takes in a change of it while
         * the map is read (the event's is the newer). Returns whether the book holds that value afterwards.
         */
        synchronized boolean refresh(IMap<String, D> map, String key) {
            return reading(changed -> {
                D current = map.get(key);
                settle(key, current, changed);
                return changed.contains(key) || Objects.equals(current, held.get(key));
            });
        }

        /** Runs {@code read} with the set of keys the listener takes in meanwhile ({@link #changedSince}). */
        private <T> T reading(Function<Set<String>, T> read) {
            Set<String> changed = ConcurrentHashMap.newKeySet();
            changedSince = changed;
            try {
                return read.apply(changed);
            } finally {
                changedSince = null;
            }
        }

        /**
         * Makes the book hold {@code current} under {@code key} ({@code null}: nothing), as a read of the map found it,
         * unless the listener took in a change of that key during the read (the event's is the newer).
         */
        private void settle(String key, D current, Set<String> changed) {
            if (changed.contains(key)) {
                return;
            }
            D before = held.get(key);
            if (current == null) {
                if (before != null) {
                    remove(project.apply(before), name.apply(before));
                }
            } else if (!current.equals(before)) {
                put(current);
            }
        }

        /** The definitions the listener took in while {@link #resync} runs ({@code null}: not reading). */
        private volatile Set<String> changedSince;

        private String key(D definition) {
            return GridMaps.projectKey(project.apply(definition), name.apply(definition));
        }

        private void remove(String ofProject, String ofName) {
            held.remove(GridMaps.projectKey(ofProject, ofName));
            byProject.computeIfPresent(ofProject, (p, named) -> {
                Map<String, P> rest = new TreeMap<>(named);
                rest.remove(ofName);
                return rest;
            });
        }

        private void noteChange(D definition) {
            Set<String> changed = changedSince;
            if (changed != null) {
                changed.add(key(definition));
            }
        }

        @Override
        public void entryAdded(EntryEvent<String, D> event) {
            noteChange(event.getValue());
            put(event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, D> event) {
            noteChange(event.getValue());
            put(event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, D> event) {
            D removed = event.getOldValue();
            if (removed != null) {
                noteChange(removed);
                remove(project.apply(removed), name.apply(removed));
            }
        }

        void put(D definition) {
            P parsed;
            try {
                parsed = read.apply(definition);
            } catch (RuleException e) {
                // a rule this member cannot read (a window longer than its visit retention): its older version, if
                // any, must not stay in force either
                remove(project.apply(definition), name.apply(definition));
                return;
            }
            byProject.compute(project.apply(definition), (p, named) -> {
                Map<String, P> more = named == null ? new TreeMap<>() : new TreeMap<>(named);
                more.put(name.apply(definition), parsed);
                return more;
            });
            held.put(key(definition), definition);
        }
    }
}
