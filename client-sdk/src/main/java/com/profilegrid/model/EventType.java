package com.profilegrid.model;

import java.util.Locale;

/**
 * The kinds of tracking call, named as the Segment tracking API names them, and {@link #PING}: Woopra's keep-alive
 * ({@code /track/ping}), which keeps the visitor's visit open and counts as no event.
 */
public enum EventType {
    TRACK, IDENTIFY, PAGE, SCREEN, GROUP, ALIAS, PING;

    /** Whether Segment's tracking API has this type (every one but {@link #PING}). */
    public boolean isSegmentType() {
        return this != PING;
    }

    /** The lower-case name used on the wire and in the log ({@code "track"}, {@code "identify"}, ...). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a wire name, or {@code null} when there is none. */
    public static EventType ofWireName(String name) {
        for (EventType type : values()) {
            if (type.wireName().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
