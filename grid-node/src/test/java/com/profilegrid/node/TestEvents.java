package com.profilegrid.node;

import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Tracking events for tests, with message ids that tell them apart. */
public final class TestEvents {

    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    private TestEvents() {
    }

    public static TrackingEvent track(String project, String messageId) {
        return new TrackingEvent(project, messageId, EventType.TRACK, "Page Viewed", "anon-" + messageId, null, null, null,
                T0, T0.plusMillis(5), "{\"path\":\"/" + messageId + "\"}", "{}", "{\"ip\":\"10.0.0.1\"}",
                "{\"type\":\"track\",\"messageId\":\"" + messageId + "\"}");
    }

    public static List<TrackingEvent> tracks(String project, String prefix, int count) {
        List<TrackingEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(track(project, prefix + i));
        }
        return events;
    }
}
