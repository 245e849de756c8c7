package com.profilegrid.pipelines.fold;

import java.io.Serializable;
import java.time.Duration;

/**
 * How events fold into profiles.
 *
 * @param inactivityGap events further apart than this start a new visit (30 minutes by default)
 * @param recentEvents  how many of the most recent events a profile keeps (20 by default)
 */
public record FoldSettings(Duration inactivityGap, int recentEvents) implements Serializable {

    public static final FoldSettings DEFAULTS = new FoldSettings(Duration.ofMinutes(30), 20);

    public FoldSettings {
        if (inactivityGap.isNegative() || inactivityGap.isZero()) {
            throw new IllegalArgumentException("inactivity gap must be positive");
        }
        if (recentEvents < 0) {
            throw new IllegalArgumentException("recent events must not be negative");
        }
    }
}
