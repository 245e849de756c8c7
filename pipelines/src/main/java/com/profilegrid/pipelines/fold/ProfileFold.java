package com.profilegrid.pipelines.fold;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.model.Visit;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The profile fold: how one event changes a profile, and how two profiles of one visitor join. A pure
 * function, shared by the streaming pipeline and the rebuild.
 *
 * <p>The result depends only on the set of events folded, never on their order: properties are
 * last-writer-wins by (event time, message id); counters add; first and last seen are min and max; visits
 * are the groups of event times no further apart than the inactivity gap; recent events are the newest N by
 * (event time, message id). {@link #merge} joins two profiles folded from disjoint sets of events into the
 * profile of their union, which is what an identity merge needs.
 *
 * <p>Counters are the one part that is not idempotent: the pipeline applies each event once.
 *
 * <p>Not final so that a test can make a fold that fails on a chosen event (the pipeline dead-letters it).
 */
public class ProfileFold implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A profile lists at most this many anonymous ids, and as many e-mail addresses: the first in string order. A
     * fixed order keeps the fold independent of event order; the bound keeps a profile of a shared device or a test
     * user with 100,000 anonymous ids as small as any other, so each of its events costs what a normal one costs.
     * Every id still finds the profile (the id index has them all); the list is what a reader is shown.
     */
    public static final int MAX_IDS_PER_KIND = 100;

    private final FoldSettings settings;

    public ProfileFold(FoldSettings settings) {
        this.settings = settings;
    }

    public FoldSettings settings() {
        return settings;
    }

    /** The counter an event adds to: the event name of a track call, {@code $page}, {@code $identify}, ... otherwise. */
    public static String counterName(TrackingEvent event) {
        return event.type() == EventType.TRACK ? event.eventName() : "$" + event.type().wireName();
    }

    public Profile apply(Profile profile, TrackingEvent event) {
        Identities ids = profile.identities();
        if (event.anonymousId() != null) {
            ids = new Identities(ids.userId(), with(ids.anonymousIds(), event.anonymousId()), ids.emails());
        }
        if (event.previousId() != null) {
            ids = new Identities(ids.userId(), with(ids.anonymousIds(), event.previousId()), ids.emails());
        }
        if (event.userId() != null && ids.userId() == null) {
            ids = ids.withUserId(event.userId());
        }
        Profile updated = profile.withIdentities(ids);
        if (event.type() != EventType.GROUP) {
            updated = withTraits(updated, event);
        }
        return updated
                .withEventCounted(counterName(event), 1)
                .withSeenAt(event.timestamp())
                .withVisits(mergeVisits(updated.visits(), List.of(new Visit(event.timestamp(), event.timestamp()))))
                .withRecentEvents(newest(updated.recentEvents(), List.of(
                        new RecentEvent(event.messageId(), event.type(), event.eventName(), event.timestamp()))));
    }

    /** The profile of the union of the events of {@code kept} and {@code absorbed}; it keeps {@code kept}'s id. */
    public Profile merge(Profile kept, Profile absorbed) {
        Identities a = kept.identities();
        Identities b = absorbed.identities();
        Profile merged = kept.withIdentities(new Identities(a.userId() != null ? a.userId() : b.userId(),
                union(a.anonymousIds(), b.anonymousIds()), union(a.emails(), b.emails())));
        for (Map.Entry<String, PropertyValue> property : absorbed.properties().entrySet()) {
            merged = merged.withProperty(property.getKey(), property.getValue());
        }
        for (Map.Entry<String, Long> counter : absorbed.eventCounts().entrySet()) {
            merged = merged.withEventCounted(counter.getKey(), counter.getValue());
        }
        if (absorbed.firstSeen() != null) {
            merged = merged.withSeenAt(absorbed.firstSeen()).withSeenAt(absorbed.lastSeen());
        }
        Set<String> labels = new HashSet<>(merged.labels());
        labels.addAll(absorbed.labels());
        for (String label : labels) {
            merged = merged.withLabel(label);
        }
        return merged
                .withVisits(mergeVisits(merged.visits(), absorbed.visits()))
                .withRecentEvents(newest(merged.recentEvents(), absorbed.recentEvents()));
    }

    private static Profile withTraits(Profile profile, TrackingEvent event) {
        JsonNode traits = parse(event.traits());
        Profile updated = profile;
        for (Iterator<Map.Entry<String, JsonNode>> it = traits.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> trait = it.next();
            updated = updated.withProperty(trait.getKey(),
                    new PropertyValue(trait.getValue().toString(), event.timestamp(), event.messageId()));
            if (trait.getKey().equals("email") && trait.getValue().isTextual() && !trait.getValue().asText().isBlank()) {
                Identities ids = updated.identities();
                updated = updated.withIdentities(new Identities(ids.userId(), ids.anonymousIds(),
                        with(ids.emails(), trait.getValue().asText())));
            }
        }
        return updated;
    }

    /** {@code ids} with {@code id}, within {@link #MAX_IDS_PER_KIND}. */
    static Set<String> with(Set<String> ids, String id) {
        if (ids.contains(id)) {
            return ids;
        }
        if (ids.size() < MAX_IDS_PER_KIND) {
            Set<String> more = new HashSet<>(ids);
            more.add(id);
            return more;
        }
        return union(ids, Set.of(id));
    }

    /** The first {@link #MAX_IDS_PER_KIND} ids of both sets, in string order. */
    static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        if (all.size() <= MAX_IDS_PER_KIND) {
            return all;
        }
        return new HashSet<>(all.stream().sorted().limit(MAX_IDS_PER_KIND).toList());
    }

    /** Visits of the union: spans no further apart than the inactivity gap join into one. */
    List<Visit> mergeVisits(List<Visit> first, List<Visit> second) {
        List<Visit> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        all.sort(Comparator.comparing(Visit::start));
        Duration gap = settings.inactivityGap();
        List<Visit> merged = new ArrayList<>(all.size());
        for (Visit visit : all) {
            Visit last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && !visit.start().isAfter(last.end().plus(gap))) {
                Instant end = visit.end().isAfter(last.end()) ? visit.end() : last.end();
                merged.set(merged.size() - 1, new Visit(last.start(), end));
            } else {
                merged.add(visit);
            }
        }
        return merged;
    }

    /** The newest N events of both lists, each message once. */
    List<RecentEvent> newest(List<RecentEvent> first, List<RecentEvent> second) {
        Map<String, RecentEvent> byId = new HashMap<>();
        for (RecentEvent event : first) {
            byId.put(event.messageId(), event);
        }
        for (RecentEvent event : second) {
            byId.put(event.messageId(), event);
        }
        List<RecentEvent> all = new ArrayList<>(byId.values());
        all.sort(RecentEvent.NEWEST_FIRST);
        return all.size() <= settings.recentEvents() ? all : all.subList(0, settings.recentEvents());
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event JSON is not valid: " + e.getOriginalMessage(), e);
        }
    }
}
