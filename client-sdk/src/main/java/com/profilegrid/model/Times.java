package com.profilegrid.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Profiles keep times at millisecond precision, the precision of tracking timestamps and of the database. */
final class Times {

    private Times() {
    }

    static Instant toMillis(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS);
    }

    static Long epochMillis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    static Instant ofEpochMillis(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
