package com.profilegrid.node;

import java.util.Locale;

/**
 * What a node does ({@code profilegrid node --role}).
 *
 * <ul>
 *   <li>{@link #ALL}: everything in one JVM, a Hazelcast member that takes tracking, holds profile partitions, runs the
 *       profile pipeline and serves the read and admin APIs (the default, and the simplest way to run).</li>
 *   <li>{@link #TRACKING}: the tracking API alone (Segment and Woopra dialects, the SDK's track and identify), the
 *       node's own tracking-log shard and spool, key checks. It is not a Hazelcast member and no client of the grid:
 *       it talks to PostgreSQL and its own disk only, so nothing that happens to the profile members (stopped,
 *       killed, stalled, out of memory, migrating) can block or slow its acknowledgements.</li>
 *   <li>{@link #PROFILES}: a Hazelcast member holding profile partitions, running the pipeline (which reads every
 *       node's log shard) and serving the read and admin APIs; it takes no tracking.</li>
 * </ul>
 */
public enum NodeRole {
    ALL, TRACKING, PROFILES;

    /** Whether the node serves the tracking API. */
    public boolean takesTracking() {
        return this != PROFILES;
    }

    /** Whether the node is a Hazelcast member holding profile state. */
    public boolean holdsProfiles() {
        return this != TRACKING;
    }

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code name} ({@code all}, {@code tracking}, {@code profiles}), or a clear error. */
    public static NodeRole parse(String name) {
        for (NodeRole role : values()) {
            if (role.flag().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return role;
            }
        }
        throw new IllegalArgumentException("--role must be all, tracking or profiles, not '" + name + "'");
    }
}
