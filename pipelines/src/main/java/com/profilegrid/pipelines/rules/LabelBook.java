package com.profilegrid.pipelines.rules;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.profilegrid.model.Profile;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A member's live copy of every project's labels, rules read, kept current by a listener on the {@link
 * LabelDefinition#MAP} map: the profile step asks it, on the partition thread, which labels a profile is a member of,
 * without a remote call. Held in the member's user context ({@link #USER_CONTEXT_KEY}) with the clock labels are
 * evaluated by; a member without one evaluates no labels.
 */
public final class LabelBook implements EntryAddedListener<String, LabelDefinition>,
        EntryUpdatedListener<String, LabelDefinition>, EntryRemovedListener<String, LabelDefinition> {

    public static final String USER_CONTEXT_KEY = "profilegrid.label-book";

    private final RuleParser parser;
    private final Clock clock;
    /** Per project, its labels' rules by name. */
    private final Map<String, Map<String, Rule>> rules = new ConcurrentHashMap<>();
    private IMap<String, LabelDefinition> map;
    private UUID registration;

    public LabelBook(Duration longestWindow, Clock clock) {
        this.parser = new RuleParser(longestWindow);
        this.clock = clock;
    }

    /** The book the member holds in its user context, or {@code null}. */
    public static LabelBook of(HazelcastInstance member) {
        Object held = member.getUserContext().get(USER_CONTEXT_KEY);
        return held instanceof LabelBook book ? book : null;
    }

    /** Starts following the member's labels map. */
    public synchronized AutoCloseable watch(HazelcastInstance member) {
        map = member.getMap(LabelDefinition.MAP);
        registration = map.addEntryListener(this, true);
        map.values().forEach(this::put);
        return this::close;
    }

    /**
     * The labels of its project that {@code profile} is a member of now. A rule that was valid when accepted but
     * cannot be read by this member (a shorter visit retention than the node that accepted it) is left out.
     */
    public Set<String> labelsOf(Profile profile) {
        Map<String, Rule> ofProject = rules.get(profile.project());
        if (ofProject == null || ofProject.isEmpty()) {
            return Set.of();
        }
        java.time.Instant now = clock.instant();
        Set<String> labels = new HashSet<>();
        ofProject.forEach((name, rule) -> {
            if (rule.matches(profile, now)) {
                labels.add(name);
            }
        });
        return labels;
    }

    /** {@code profile} with the labels it is a member of now. */
    public Profile evaluate(Profile profile) {
        Set<String> labels = labelsOf(profile);
        return labels.equals(profile.labels()) ? profile : profile.withLabels(labels);
    }

    @Override
    public void entryAdded(EntryEvent<String, LabelDefinition> event) {
        put(event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, LabelDefinition> event) {
        put(event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, LabelDefinition> event) {
        LabelDefinition removed = event.getOldValue();
        if (removed != null) {
            rules.computeIfPresent(removed.project(), (project, named) -> {
                Map<String, Rule> rest = new TreeMap<>(named);
                rest.remove(removed.name());
                return rest;
            });
        }
    }

    private void put(LabelDefinition label) {
        Rule rule;
        try {
            rule = label.parsedRule(parser);
        } catch (RuleException e) {
            return;
        }
        rules.compute(label.project(), (project, named) -> {
            Map<String, Rule> more = named == null ? new TreeMap<>() : new TreeMap<>(named);
            more.put(label.name(), rule);
            return more;
        });
    }

    private synchronized void close() {
        if (map != null) {
            map.removeEntryListener(registration);
        }
    }
}
