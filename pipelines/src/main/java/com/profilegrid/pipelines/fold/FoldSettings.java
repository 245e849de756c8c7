package com.profilegrid.pipelines.fold;

import java.io.Serializable;
import java.time.Duration;

/**
 * How events fold into profiles.
 *
 * @param inactivityGap   events further apart than this start a new visit (30 minutes by default)
 * @param recentEvents    how many of the most recent events a profile keeps (20 by default)
 * @param maxListedRawIds how many raw ids a profile's state lists with the version it holds of each
 *                        ({@value #MAX_LISTED_RAW_IDS} by default; the rest are sealed, see
 *                        {@code ProfileState}): what one event of a profile with very many ids costs
 * @param visitRetention  how far back from its last event a profile keeps its visits (90 days by default): the
 *                        visits list of a visitor of years is bounded by this window, not by its age (see
 *                        {@link ProfileFold#mergeVisits})
 */
public record FoldSettings(Duration inactivityGap, int recentEvents, int maxListedRawIds, Duration visitRetention)
        implements Serializable {

    public static final int MAX_LISTED_RAW_IDS = 256;
    public static final Duration VISIT_RETENTION = Duration.ofDays(90);
    public static final FoldSettings DEFAULTS = new FoldSettings(Duration.ofMinutes(30), 20);

    public FoldSettings(Duration inactivityGap, int recentEvents) {
        this(inactivityGap, recentEvents, MAX_LISTED_RAW_IDS);
    }

    public FoldSettings(Duration inactivityGap, int recentEvents, int maxListedRawIds) {
        this(inactivityGap, recentEvents, maxListedRawIds, VISIT_RETENTION);
    }

    public FoldSettings {
        if (inactivityGap.isNegative() || inactivityGap.isZero()) {
            throw new IllegalArgumentException("inactivity gap must be positive");
        }
        if (recentEvents < 0) {
            throw new IllegalArgumentException("recent events must not be negative");
        }
        if (maxListedRawIds < 1) {
            throw new IllegalArgumentException("a profile must list at least 1 raw id");
        }
        if (visitRetention.isNegative() || visitRetention.isZero()) {
            throw new IllegalArgumentException("visit retention must be positive");
        }
    }

    /** These settings keeping visits for {@code retention}. */
    public FoldSettings withVisitRetention(Duration retention) {
        return new FoldSettings(inactivityGap, recentEvents, maxListedRawIds, retention);
    }
}
