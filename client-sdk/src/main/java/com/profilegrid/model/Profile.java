package com.profilegrid.model;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The real-time profile of one visitor of one project. Immutable: every change returns a copy.
 *
 * <p>Profiles are a view derived from the tracking log; they are held in the {@code profiles} map,
 * keyed by {@link ProfileKey}, and persisted behind it.
 *
 * @param project     the project (tenant) id
 * @param profileId   the profile id
 * @param identities  the ids this profile is known by
 * @param properties  properties (traits) by name, each with the event time that set it
 * @param eventCounts how many events of each name the profile has seen
 * @param firstSeen   event time of the earliest event, or {@code null} before any
 * @param lastSeen     event time of the latest event, or {@code null} before any
 * @param visits       visits (sessions), oldest first
 * @param recentEvents the most recent events, newest first
 * @param labels       labels (segments) the profile is a member of
 * @param dailyCounts  how many events of each name the profile has seen per day (UTC), keyed
 *                     {@code <epoch day>:<event name>}, for the days of the visit retention before its last event
 */
public record Profile(
        String project,
        String profileId,
        Identities identities,
        Map<String, PropertyValue> properties,
        Map<String, Long> eventCounts,
        Instant firstSeen,
        Instant lastSeen,
        List<Visit> visits,
        List<RecentEvent> recentEvents,
        Set<String> labels,
        Map<String, Long> dailyCounts) {

    public Profile {
        ProfileKey.requireId("project", project, ProfileKey.MAX_PROJECT_LENGTH);
        ProfileKey.requireId("profileId", profileId, ProfileKey.MAX_PROFILE_ID_LENGTH);
        Objects.requireNonNull(identities, "identities must not be null");
        properties = Map.copyOf(properties);
        eventCounts = Map.copyOf(eventCounts);
        firstSeen = Times.toMillis(firstSeen);
        lastSeen = Times.toMillis(lastSeen);
        visits = List.copyOf(visits);
        recentEvents = List.copyOf(recentEvents);
        labels = Set.copyOf(labels);
        dailyCounts = Map.copyOf(dailyCounts);
    }

    /** A profile that has seen nothing yet. */
    public static Profile empty(ProfileKey key) {
        return new Profile(key.project(), key.profileId(), Identities.NONE, Map.of(), Map.of(), null, null, List.of(), List.of(),
                Set.of(), Map.of());
    }

    public ProfileKey key() {
        return new ProfileKey(project, profileId);
    }

    public Profile withIdentities(Identities newIdentities) {
        return new Profile(project, profileId, newIdentities, properties, eventCounts, firstSeen, lastSeen, visits, recentEvents, labels, dailyCounts);
    }

    /** Sets a property unless the current value was written later (last-writer-wins). */
    public Profile withProperty(String name, PropertyValue value) {
        if (!value.supersedes(properties.get(name))) {
            return this;
        }
        Map<String, PropertyValue> copy = new HashMap<>(properties);
        copy.put(name, value);
        return new Profile(project, profileId, identities, copy, eventCounts, firstSeen, lastSeen, visits, recentEvents, labels, dailyCounts);
    }

    /** Adds {@code delta} to the counter of {@code eventName}. */
    public Profile withEventCounted(String eventName, long delta) {
        Map<String, Long> copy = new HashMap<>(eventCounts);
        copy.merge(eventName, delta, Long::sum);
        return new Profile(project, profileId, identities, properties, copy, firstSeen, lastSeen, visits, recentEvents, labels, dailyCounts);
    }

    /** Widens first/last seen to include {@code eventTime} (min/max, so order of arrival does not matter). */
    public Profile withSeenAt(Instant eventTime) {
        Instant first = firstSeen == null || eventTime.isBefore(firstSeen) ? eventTime : firstSeen;
        Instant last = lastSeen == null || eventTime.isAfter(lastSeen) ? eventTime : lastSeen;
        return new Profile(project, profileId, identities, properties, eventCounts, first, last, visits, recentEvents, labels, dailyCounts);
    }

    public Profile withVisits(List<Visit> newVisits) {
        return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, newVisits,
                recentEvents, labels, dailyCounts);
    }

    public Profile withRecentEvents(List<RecentEvent> newRecentEvents) {
        return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, visits,
                newRecentEvents, labels, dailyCounts);
    }

    /** Number of visits (sessions) the profile keeps: those within the node's visit retention before its last event. */
    public int visitCount() {
        return visits.size();
    }

    /** The same profile under another id (a merge result takes the id of the profile it is kept as). */
    public Profile withProfileId(String newProfileId) {
        return new Profile(project, newProfileId, identities, properties, eventCounts, firstSeen, lastSeen, visits,
                recentEvents, labels, dailyCounts);
    }

    /** These daily counts in place of the profile's. */
    public Profile withDailyCounts(Map<String, Long> newDailyCounts) {
        return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, visits,
                recentEvents, labels, newDailyCounts);
    }

    /** These labels in place of the profile's. */
    public Profile withLabels(Set<String> newLabels) {
        return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, visits,
                recentEvents, newLabels, dailyCounts);
    }

    public Profile withLabel(String label) {
        Set<String> copy = new HashSet<>(labels);
        copy.add(label);
        return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, visits, recentEvents, copy, dailyCounts);
    }

    public Profile withoutLabel(String label) {
        Set<String> copy = new HashSet<>(labels);
        copy.remove(label);
        return new Profile(project, profileId, identities, properties, eventCounts, firstSeen, lastSeen, visits, recentEvents, copy, dailyCounts);
    }
}
