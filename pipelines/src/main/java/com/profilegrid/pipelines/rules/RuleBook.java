package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.TrackingEvent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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

    /** Starts following the member's labels and triggers maps. */
    public AutoCloseable watch(HazelcastInstance member) {
        AutoCloseable labelWatch = labels.watch(member.getMap(LabelDefinition.MAP));
        AutoCloseable triggerWatch = triggers.watch(member.getMap(TriggerDefinition.MAP));
        return () -> {
            labelWatch.close();
            triggerWatch.close();
        };
    }

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
        Map<String, Rule> ofProject = labels.of(profile.project());
        if (ofProject.isEmpty()) {
            return Set.of();
        }
        Instant now = clock.instant();
        Set<String> member = new TreeSet<>();
        ofProject.forEach((name, rule) -> {
            if (rule.matches(profile, now)) {
                member.add(name);
            }
        });
        return member;
    }

    /** {@code profile} with the labels it is a member of now. */
    public Profile evaluate(Profile profile) {
        Set<String> now = labelsOf(profile);
        return now.equals(profile.labels()) ? profile : profile.withLabels(now);
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
        Map<String, Rule> defined = labels.of(after.project());
        for (String label : new TreeSet<>(before.labels())) {
            if (!after.labels().contains(label) && defined.containsKey(label)) {
                changes.add(new Change(Change.Kind.EXITED, label, cause));
            }
        }
        for (String label : new TreeSet<>(after.labels())) {
            if (!before.labels().contains(label)) {
                changes.add(new Change(Change.Kind.ENTERED, label, cause));
            }
        }
        if (event != null && event.type() == EventType.TRACK && event.eventName() != null) {
            Map<String, Trigger> ofProject = triggers.of(after.project());
            if (!ofProject.isEmpty()) {
                Profile properties = null;
                Instant now = clock.instant();
                for (Trigger trigger : ofProject.values()) {
                    if (trigger.on() instanceof Trigger.OnEvent on && on.event().equals(event.eventName())) {
                        properties = properties != null ? properties : asProfile(event);
                        if (on.matches(event.eventName(), properties, after, now)) {
                            changes.add(new Change(Change.Kind.EVENT, trigger.name(), cause));
                        }
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
        for (Rule rule : ofProject.values()) {
            next = Rule.earlier(next, rule.nextChange(profile, now));
        }
        return next;
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

    /** The event's properties as those of a profile, for a trigger's {@code where}. */
    private static Profile asProfile(TrackingEvent event) {
        Profile profile = Profile.empty(new ProfileKey(event.project(), "event"));
        Map<String, PropertyValue> values = new HashMap<>();
        try {
            JsonNode properties = JSON.readTree(event.properties());
            for (Iterator<Map.Entry<String, JsonNode>> fields = properties.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                values.put(field.getKey(), new PropertyValue(field.getValue().toString(), event.timestamp(),
                        event.messageId()));
            }
        } catch (Exception e) {
            // properties that are not an object have none to test (ingest refuses such events)
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
            changedSince = ConcurrentHashMap.newKeySet();
            Set<String> held = new HashSet<>();
            map.values().forEach(definition -> {
                put(definition);
                held.add(key(definition));
            });
            // preloaded, but gone from the map meanwhile (deleted while this member started), and not added since
            Set<String> changed = changedSince;
            changedSince = null;
            byProject.forEach((ofProject, named) -> named.keySet().forEach(ofName -> {
                String key = ofProject + '\u241F' + ofName;
                if (!held.contains(key) && !changed.contains(key)) {
                    remove(ofProject, ofName);
                }
            }));
            return () -> map.removeEntryListener(registration);
        }

        /** The definitions the listener took in while {@link #watch} read the map ({@code null}: not reading). */
        private volatile Set<String> changedSince;

        private String key(D definition) {
            return project.apply(definition) + '\u241F' + name.apply(definition);
        }

        private void remove(String ofProject, String ofName) {
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
                return;
            }
            byProject.compute(project.apply(definition), (p, named) -> {
                Map<String, P> more = named == null ? new TreeMap<>() : new TreeMap<>(named);
                more.put(name.apply(definition), parsed);
                return more;
            });
        }
    }
}
