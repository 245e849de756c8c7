package com.profilegrid.model;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Explicit Compact serializer of {@link Profile}; registered in the member and client YAML.
 *
 * <p>Maps are written as parallel arrays (names, values) so that a profile is one flat record with
 * no nested schemas: cheaper to write and read than reflective (zero-config) Compact.
 * New fields must be read with a {@code getFieldKind} check so old records stay readable.
 */
public final class ProfileSerializer implements CompactSerializer<Profile> {

    public static final String TYPE_NAME = "profilegrid.Profile";

    @Override
    public Profile read(CompactReader in) {
        Identities identities = new Identities(
                in.readString("userId"),
                Set.of(in.readArrayOfString("anonymousIds")),
                Set.of(in.readArrayOfString("emails")));

        String[] propertyNames = in.readArrayOfString("propertyNames");
        String[] propertyJson = in.readArrayOfString("propertyJson");
        long[] propertySetAt = in.readArrayOfInt64("propertySetAt");
        String[] propertyMessageIds = in.readArrayOfString("propertyMessageIds");
        Map<String, PropertyValue> properties = new HashMap<>(propertyNames.length * 2);
        for (int i = 0; i < propertyNames.length; i++) {
            properties.put(propertyNames[i],
                    new PropertyValue(propertyJson[i], Times.ofEpochMillis(propertySetAt[i]), propertyMessageIds[i]));
        }

        String[] eventNames = in.readArrayOfString("eventNames");
        long[] counts = in.readArrayOfInt64("eventCounts");
        Map<String, Long> eventCounts = new HashMap<>(eventNames.length * 2);
        for (int i = 0; i < eventNames.length; i++) {
            eventCounts.put(eventNames[i], counts[i]);
        }

        return new Profile(
                in.readString("project"),
                in.readString("profileId"),
                identities,
                properties,
                eventCounts,
                Times.ofEpochMillis(in.readNullableInt64("firstSeen")),
                Times.ofEpochMillis(in.readNullableInt64("lastSeen")),
                visits(in),
                recentEvents(in),
                Set.of(in.readArrayOfString("labels")),
                dailyCounts(in));
    }

    /** Written since labels count events by day; a record written before has none. */
    private static Map<String, Long> dailyCounts(CompactReader in) {
        if (in.getFieldKind("dailyKeys") == FieldKind.NOT_AVAILABLE) {
            return Map.of();
        }
        String[] keys = in.readArrayOfString("dailyKeys");
        long[] counts = in.readArrayOfInt64("dailyCounts");
        Map<String, Long> daily = new HashMap<>(keys.length * 2);
        for (int i = 0; i < keys.length; i++) {
            daily.put(keys[i], counts[i]);
        }
        return daily;
    }

    private static List<Visit> visits(CompactReader in) {
        long[] starts = in.readArrayOfInt64("visitStarts");
        long[] ends = in.readArrayOfInt64("visitEnds");
        List<Visit> visits = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            visits.add(new Visit(Instant.ofEpochMilli(starts[i]), Instant.ofEpochMilli(ends[i])));
        }
        return visits;
    }

    private static List<RecentEvent> recentEvents(CompactReader in) {
        String[] ids = in.readArrayOfString("recentIds");
        String[] types = in.readArrayOfString("recentTypes");
        String[] names = in.readArrayOfString("recentNames");
        long[] times = in.readArrayOfInt64("recentTimes");
        List<RecentEvent> events = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            events.add(new RecentEvent(ids[i], EventType.valueOf(types[i]), names[i], Instant.ofEpochMilli(times[i])));
        }
        return events;
    }

    @Override
    public void write(CompactWriter out, Profile profile) {
        out.writeString("project", profile.project());
        out.writeString("profileId", profile.profileId());
        out.writeString("userId", profile.identities().userId());
        out.writeArrayOfString("anonymousIds", toArray(profile.identities().anonymousIds()));
        out.writeArrayOfString("emails", toArray(profile.identities().emails()));

        int n = profile.properties().size();
        String[] propertyNames = new String[n];
        String[] propertyJson = new String[n];
        long[] propertySetAt = new long[n];
        String[] propertyMessageIds = new String[n];
        int i = 0;
        for (Map.Entry<String, PropertyValue> e : profile.properties().entrySet()) {
            propertyNames[i] = e.getKey();
            propertyJson[i] = e.getValue().json();
            propertySetAt[i] = e.getValue().setAt().toEpochMilli();
            propertyMessageIds[i] = e.getValue().messageId();
            i++;
        }
        out.writeArrayOfString("propertyNames", propertyNames);
        out.writeArrayOfString("propertyJson", propertyJson);
        out.writeArrayOfInt64("propertySetAt", propertySetAt);
        out.writeArrayOfString("propertyMessageIds", propertyMessageIds);

        int m = profile.eventCounts().size();
        String[] eventNames = new String[m];
        long[] counts = new long[m];
        int j = 0;
        for (Map.Entry<String, Long> e : profile.eventCounts().entrySet()) {
            eventNames[j] = e.getKey();
            counts[j] = e.getValue();
            j++;
        }
        out.writeArrayOfString("eventNames", eventNames);
        out.writeArrayOfInt64("eventCounts", counts);

        out.writeNullableInt64("firstSeen", Times.epochMillis(profile.firstSeen()));
        out.writeNullableInt64("lastSeen", Times.epochMillis(profile.lastSeen()));
        List<Visit> visits = profile.visits();
        long[] starts = new long[visits.size()];
        long[] ends = new long[visits.size()];
        for (int v = 0; v < starts.length; v++) {
            starts[v] = visits.get(v).start().toEpochMilli();
            ends[v] = visits.get(v).end().toEpochMilli();
        }
        out.writeArrayOfInt64("visitStarts", starts);
        out.writeArrayOfInt64("visitEnds", ends);
        List<RecentEvent> recent = profile.recentEvents();
        String[] ids = new String[recent.size()];
        String[] types = new String[recent.size()];
        String[] names = new String[recent.size()];
        long[] times = new long[recent.size()];
        for (int r = 0; r < ids.length; r++) {
            ids[r] = recent.get(r).messageId();
            types[r] = recent.get(r).type().name();
            names[r] = recent.get(r).name();
            times[r] = recent.get(r).timestamp().toEpochMilli();
        }
        out.writeArrayOfString("recentIds", ids);
        out.writeArrayOfString("recentTypes", types);
        out.writeArrayOfString("recentNames", names);
        out.writeArrayOfInt64("recentTimes", times);
        out.writeArrayOfString("labels", toArray(profile.labels()));
        String[] dailyKeys = new String[profile.dailyCounts().size()];
        long[] dailyCounts = new long[dailyKeys.length];
        int d = 0;
        for (Map.Entry<String, Long> e : profile.dailyCounts().entrySet()) {
            dailyKeys[d] = e.getKey();
            dailyCounts[d] = e.getValue();
            d++;
        }
        out.writeArrayOfString("dailyKeys", dailyKeys);
        out.writeArrayOfInt64("dailyCounts", dailyCounts);
    }

    private static String[] toArray(Set<String> set) {
        String[] array = set.toArray(new String[0]);
        Arrays.sort(array);
        return array;
    }

    @Override
    public String getTypeName() {
        return TYPE_NAME;
    }

    @Override
    public Class<Profile> getCompactClass() {
        return Profile.class;
    }
}
