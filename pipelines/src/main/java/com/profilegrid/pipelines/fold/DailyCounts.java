package com.profilegrid.pipelines.fold;

import com.profilegrid.model.Profile;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A profile's event counts by day (UTC): {@link Profile#dailyCounts()}, keyed {@code <epoch day>:<counter name>}, what
 * label rules with a window count. The fold keeps the days from the one holding {@code lastSeen - retention} on: a
 * count drops when its whole day lies before that, so, as for visits, the days kept do not depend on the order events
 * arrive in (the cut only moves forward, and an event of a day already dropped would be dropped at the end anyway).
 */
public final class DailyCounts {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private DailyCounts() {
    }

    /** The UTC day of {@code at}, counted from 1970-01-01. */
    public static long day(Instant at) {
        return Math.floorDiv(at.toEpochMilli(), MILLIS_PER_DAY);
    }

    /** The key of {@code counter}'s count on {@code day}. */
    public static String key(long day, String counter) {
        return day + ":" + counter;
    }

    /**
     * The first day on which the profile counted events of {@code counter} that is not before {@code from}, or
     * {@link Long#MAX_VALUE} when there is none.
     */
    public static long firstDayFrom(Profile profile, String counter, long from) {
        long first = Long.MAX_VALUE;
        for (String key : profile.dailyCounts().keySet()) {
            long day = dayOf(key, counter);
            if (day != NOT_COUNTER && day >= from && day < first) {
                first = day;
            }
        }
        return first;
    }

    private static final long NOT_COUNTER = Long.MIN_VALUE;

    /** The day of {@code key} if it counts {@code counter}, else {@link #NOT_COUNTER}. */
    private static long dayOf(String key, String counter) {
        int colon = key.indexOf(':');
        if (key.length() != colon + 1 + counter.length() || !key.startsWith(counter, colon + 1)) {
            return NOT_COUNTER;
        }
        return Long.parseLong(key, 0, colon, 10);
    }

    /** Events of {@code counter} the profile counted on the days from the one holding {@code since} on. */
    public static long since(Profile profile, String counter, Instant since) {
        long from = day(since);
        long total = 0;
        for (Map.Entry<String, Long> count : profile.dailyCounts().entrySet()) {
            long day = dayOf(count.getKey(), counter);
            if (day != NOT_COUNTER && day >= from) {
                total += count.getValue();
            }
        }
        return total;
    }

    /** {@code first} and {@code second} added up, without the days before the one holding {@code windowStart}. */
    static Map<String, Long> add(Map<String, Long> first, Map<String, Long> second, Instant windowStart) {
        long from = day(windowStart);
        Map<String, Long> sum = new HashMap<>((first.size() + second.size()) * 2);
        for (Map<String, Long> counts : java.util.List.of(first, second)) {
            for (Map.Entry<String, Long> count : counts.entrySet()) {
                String key = count.getKey();
                if (Long.parseLong(key, 0, key.indexOf(':'), 10) >= from) {
                    sum.merge(key, count.getValue(), Long::sum);
                }
            }
        }
        return sum;
    }
}
