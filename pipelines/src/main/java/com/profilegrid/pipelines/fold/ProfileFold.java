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
import com.profilegrid.pipelines.identity.Ids;

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
 * are the groups of event times no further apart than the inactivity gap, within the retention window before the
 * last event (see {@link #mergeVisits}), and so are the counts per day ({@link DailyCounts}); recent events are the
 * newest N by
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

    /** The longest a Woopra {@code timeout} keeps a visit open: a day (a larger one is taken as a day). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

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
        Instant lastSeen = updated.withSeenAt(event.timestamp()).lastSeen();
        List<Visit> span = List.of(new Visit(event.timestamp(), event.timestamp().plus(keptOpen(event))));
        if (event.type() == EventType.PING) {
            // a keep-alive: the visit goes on and the visitor was seen, but no event happened
            // (its time may move the retention window on: the daily counts it leaves behind go, as for any event)
            return updated.withSeenAt(event.timestamp())
                    .withDailyCounts(DailyCounts.add(updated.dailyCounts(), Map.of(),
                            lastSeen.minus(settings.visitRetention())))
                    .withVisits(mergeVisits(updated.visits(), span, lastSeen));
        }
        String counter = counterName(event);
        return updated
                .withEventCounted(counter, 1)
                .withDailyCounts(DailyCounts.add(updated.dailyCounts(),
                        Map.of(DailyCounts.key(DailyCounts.day(event.timestamp()), counter), 1L),
                        lastSeen.minus(settings.visitRetention())))
                .withSeenAt(event.timestamp())
                .withVisits(mergeVisits(updated.visits(), span, lastSeen))
                .withRecentEvents(newest(updated.recentEvents(), List.of(
                        new RecentEvent(event.messageId(), event.type(), event.eventName(), event.timestamp()))));
    }

    /**
     * How long past its time an event keeps its visit going beyond the inactivity gap: a Woopra hit's {@code timeout}
     * (milliseconds the visitor stays active after it) less the gap, when it is longer; zero for every other event.
     * The visit then runs as if the visitor had been active until {@code time + timeout - gap}, so that the next
     * event within {@code timeout} of this one joins it. A {@code timeout} shorter than the gap changes nothing: a
     * visit never ends sooner than the gap.
     */
    Duration keptOpen(TrackingEvent event) {
        String context = event.context();
        if (context == null || !context.contains("\"timeout\"")) {
            return Duration.ZERO;
        }
        JsonNode timeout = parse(context).path("woopra").path("timeout");
        long millis;
        try {
            millis = timeout.isNumber() ? timeout.asLong() : Long.parseLong(timeout.asText("").trim());
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
        Duration beyond = Duration.ofMillis(Math.min(millis, MAX_TIMEOUT.toMillis())).minus(settings.inactivityGap());
        return beyond.isNegative() ? Duration.ZERO : beyond;
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
        if (merged.lastSeen() != null) {
            merged = merged.withDailyCounts(DailyCounts.add(merged.dailyCounts(), absorbed.dailyCounts(),
                    merged.lastSeen().minus(settings.visitRetention())));
        }
        return merged
                .withVisits(mergeVisits(merged.visits(), absorbed.visits(), merged.lastSeen()))
                .withRecentEvents(newest(merged.recentEvents(), absorbed.recentEvents()));
    }

    private static Profile withTraits(Profile profile, TrackingEvent event) {
        if (noTraits(event.traits())) {
            return profile; // most events (every track call) carry none: nothing to parse
        }
        JsonNode traits = parse(event.traits());
        Profile updated = profile;
        for (Iterator<Map.Entry<String, JsonNode>> it = traits.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> trait = it.next();
            updated = updated.withProperty(trait.getKey(),
                    new PropertyValue(trait.getValue().toString(), event.timestamp(), event.messageId()));
            if (trait.getKey().equals("email") && trait.getValue().isTextual() && !trait.getValue().asText().isBlank()) {
                Identities ids = updated.identities();
                // listed as the identity it is (Ids.email: trimmed, lower case), so that one address sent in two
                // spellings is one entry; the email property keeps the spelling of the write that won
                updated = updated.withIdentities(new Identities(ids.userId(), ids.anonymousIds(),
                        with(ids.emails(), Ids.address(trait.getValue().asText()))));
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

    /**
     * The visits of the union of two lists, kept within the retention window of a profile whose last event is
     * {@code lastSeen} (the later of the two profiles' last events, so never before either list's own window).
     *
     * <p>A visitor of years would keep every visit, so the list keeps only what lies within the retention before the
     * last event, and it must do so without depending on the order events arrive in: a late event can bridge two
     * visits, and if one of them had been dropped, the joined visit would start elsewhere than in a profile that saw
     * the events in order. So a visit stands for what it covers: each event covers the span from its time to one
     * inactivity gap after it, a visit is a run of overlapping spans ({@code [start, end + gap]}), and the list keeps
     * the part of that cover from the window's start ({@code lastSeen - retention}) on. Cutting a union at a point is
     * the union of the cut parts, and the window's start only moves forward, so cutting after every step gives what
     * cutting once after all of them gives, in any order and any split joined by {@link #merge}.
     *
     * <p>A visit whose cover was cut is shown as starting at the window's start ({@code end} still its last event),
     * or, when its last event lies before the window's start but its cover reaches into the window, as starting and
     * ending at its last event. Reading the list back, a visit covers from {@code max(start, window start)}, which
     * is the cut cover in every case.
     */
    List<Visit> mergeVisits(List<Visit> first, List<Visit> second, Instant lastSeen) {
        if (lastSeen == null) {
            return List.of();
        }
        Duration gap = settings.inactivityGap();
        Instant windowStart = lastSeen.minus(settings.visitRetention());
        List<Visit> covers = new ArrayList<>(first.size() + second.size());
        addCovers(first, windowStart, gap, covers);
        addCovers(second, windowStart, gap, covers);
        covers.sort(Comparator.comparing(Visit::start));
        List<Visit> joined = new ArrayList<>(covers.size());
        for (Visit cover : covers) {
            Visit last = joined.isEmpty() ? null : joined.get(joined.size() - 1);
            if (last != null && !cover.start().isAfter(last.end())) {
                joined.set(joined.size() - 1, new Visit(last.start(), cover.end().isAfter(last.end()) ? cover.end() : last.end()));
            } else {
                joined.add(cover);
            }
        }
        List<Visit> visits = new ArrayList<>(joined.size());
        for (Visit cover : joined) {
            Instant lastEvent = cover.end().minus(gap);
            visits.add(new Visit(cover.start().isAfter(lastEvent) ? lastEvent : cover.start(), lastEvent));
        }
        return visits;
    }

    /** The covers ({@code [start, end + gap]}) of {@code visits} from {@code windowStart} on. */
    private static void addCovers(List<Visit> visits, Instant windowStart, Duration gap, List<Visit> covers) {
        for (Visit visit : visits) {
            Instant end = visit.end().plus(gap);
            if (!end.isBefore(windowStart)) {
                covers.add(new Visit(visit.start().isBefore(windowStart) ? windowStart : visit.start(), end));
            }
        }
    }

    /** The newest N events of both lists, each message once. */
    List<RecentEvent> newest(List<RecentEvent> first, List<RecentEvent> second) {
        if (second.size() == 1) {
            List<RecentEvent> inserted = withOne(first, second.get(0));
            if (inserted != null) {
                return inserted;
            }
        }
        return merged(first, second);
    }

    /** The newest N events of both lists, each message once, found by merging them whole. */
    List<RecentEvent> merged(List<RecentEvent> first, List<RecentEvent> second) {
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

    /**
     * What {@link #newest} answers for one event more, found by inserting it (each step of the fold adds one), or
     * {@code null} when {@code first} is not a list that {@link #newest} leaves (newest first, each message once, at most
     * the kept number) or already holds the message: the general path decides those.
     */
    private List<RecentEvent> withOne(List<RecentEvent> first, RecentEvent added) {
        int limit = settings.recentEvents();
        if (first.size() > limit) {
            return null;
        }
        int at = first.size();
        for (int i = 0; i < first.size(); i++) {
            RecentEvent each = first.get(i);
            if (each.messageId().equals(added.messageId())
                    || i > 0 && RecentEvent.NEWEST_FIRST.compare(first.get(i - 1), each) >= 0
                    || repeatedBefore(first, i)) {
                return null;
            }
            if (at == first.size() && RecentEvent.NEWEST_FIRST.compare(added, each) < 0) {
                at = i;
            }
        }
        if (at >= limit) {
            return first;
        }
        List<RecentEvent> inserted = new ArrayList<>(Math.min(limit, first.size() + 1));
        inserted.addAll(first.subList(0, at));
        inserted.add(added);
        inserted.addAll(first.subList(at, Math.min(first.size(), limit - 1)));
        return inserted;
    }

    /** Whether the message of {@code list}'s element {@code i} is also one of the elements before it. */
    private static boolean repeatedBefore(List<RecentEvent> list, int i) {
        String id = list.get(i).messageId();
        int hash = id.hashCode();
        for (int j = 0; j < i; j++) {
            String other = list.get(j).messageId();
            if (other.hashCode() == hash && other.equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** True for traits that are {@code null}, empty, or an empty JSON object ({@code {}}, blanks allowed inside). */
    static boolean noTraits(String traits) {
        if (traits == null) {
            return true;
        }
        String text = traits.strip();
        return text.isEmpty() || text.length() >= 2 && text.charAt(0) == '{' && text.charAt(text.length() - 1) == '}'
                && text.substring(1, text.length() - 1).isBlank();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event JSON is not valid: " + e.getOriginalMessage(), e);
        }
    }
}
