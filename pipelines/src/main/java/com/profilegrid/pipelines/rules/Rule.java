package com.profilegrid.pipelines.rules;

import com.profilegrid.model.Profile;
import com.profilegrid.pipelines.fold.DailyCounts;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A label's rule: whether a profile is a member at a given time. A pure function of the profile and the clock; read
 * from JSON by {@link RuleParser}, which checks everything a rule needs, so that evaluating one never fails.
 *
 * <pre>
 * {"all": [R, ...]} | {"any": [R, ...]} | {"not": R}
 * {"property": "plan", "op": "eq|neq|in|contains|startsWith|gt|gte|lt|lte|exists", "value": ...}
 * {"event": "Purchase", "count": {"gte": 2}, "within": "P30D"}
 * {"visits": {"gte": 3}, "within": "P7D"}
 * {"lastSeen": {"olderThan": "P14D"}}    {"firstSeen": {"within": "P1D"}}
 * </pre>
 */
public sealed interface Rule extends Serializable {

    /** Whether {@code profile} matches at {@code now}. */
    boolean matches(Profile profile, Instant now);

    /**
     * The first instant after {@code now} at which whether {@code profile} matches could change with time alone (no
     * new event), or {@code null} when it cannot: where a label's timer is set. It may be early (the answer then does
     * not change, and the timer is set again), never late.
     */
    default Instant nextChange(Profile profile, Instant now) {
        return null;
    }

    /**
     * What {@link #nextChange} depends on besides the profile and the clock: rules with equal answers here have the
     * same next change, and one whose answer is {@code null} never changes with time alone. By default the rule
     * itself.
     */
    default Object changesWith() {
        return this;
    }

    /** The rule itself if one of {@code rules} changes with time alone, else {@code null}. */
    private static Object changesWithAny(Rule rule, List<Rule> rules) {
        for (Rule sub : rules) {
            if (sub.changesWith() != null) {
                return rule;
            }
        }
        return null;
    }

    /** The names of the properties {@code rule} tests, added to {@code names}. */
    static void propertyNames(Rule rule, java.util.Set<String> names) {
        if (rule instanceof All all) {
            all.rules().forEach(sub -> propertyNames(sub, names));
        } else if (rule instanceof Any any) {
            any.rules().forEach(sub -> propertyNames(sub, names));
        } else if (rule instanceof Not not) {
            propertyNames(not.rule(), names);
        } else if (rule instanceof Property property) {
            names.add(property.name());
        }
    }

    /** The earlier of two instants, {@code null} meaning never. */
    static Instant earlier(Instant first, Instant second) {
        return first == null ? second : second == null || first.isBefore(second) ? first : second;
    }

    /** {@code at} if it is after {@code now}, else {@code null} (it has passed). */
    private static Instant after(Instant at, Instant now) {
        return at != null && at.isAfter(now) ? at : null;
    }

    /** The earliest next change of {@code rules}. */
    private static Instant nextOf(List<Rule> rules, Profile profile, Instant now) {
        Instant next = null;
        for (Rule rule : rules) {
            next = earlier(next, rule.nextChange(profile, now));
        }
        return next;
    }

    /** Every sub-rule matches. */
    record All(List<Rule> rules) implements Rule {
        public All {
            rules = List.copyOf(rules);
        }

        @Override
        public boolean matches(Profile profile, Instant now) {
            for (Rule rule : rules) {
                if (!rule.matches(profile, now)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return nextOf(rules, profile, now);
        }

        @Override
        public Object changesWith() {
            return changesWithAny(this, rules);
        }
    }

    /** Some sub-rule matches. */
    record Any(List<Rule> rules) implements Rule {
        public Any {
            rules = List.copyOf(rules);
        }

        @Override
        public boolean matches(Profile profile, Instant now) {
            for (Rule rule : rules) {
                if (rule.matches(profile, now)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return nextOf(rules, profile, now);
        }

        @Override
        public Object changesWith() {
            return changesWithAny(this, rules);
        }
    }

    /** The sub-rule does not match. */
    record Not(Rule rule) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            return !rule.matches(profile, now);
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return rule.nextChange(profile, now);
        }

        @Override
        public Object changesWith() {
            return rule.changesWith();
        }
    }

    /** A property (trait) compared with a value ({@link PropertyTest}). */
    record Property(String name, PropertyTest test) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            var value = profile.properties().get(name);
            return test.test(value == null ? null : value.json());
        }

        @Override
        public Object changesWith() {
            return null;
        }
    }

    /** How many events of a name the profile has seen, all time or within a window before now (whole UTC days). */
    record EventCount(String event, Count count, Duration within) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            long seen = within == null ? profile.eventCounts().getOrDefault(event, 0L)
                    : DailyCounts.since(profile, event, now.minus(within));
            return count.test(seen);
        }

        /** The event and the window (none: no change with time): the count does not move the instant a day leaves it. */
        @Override
        public Object changesWith() {
            return within == null ? null : List.of(EventCount.class, event, within);
        }

        /** When the oldest counted day leaves the window: a day counts until one window after its end. */
        @Override
        public Instant nextChange(Profile profile, Instant now) {
            if (within == null) {
                return null;
            }
            // the earliest counted day that has not left yet: day d leaves at (d + 1) days + window, which is after now
            // from the day holding now - window on (every rule of a project is asked at every step)
            long day = DailyCounts.firstDayFrom(profile, event, DailyCounts.day(now.minus(within)));
            return day == Long.MAX_VALUE ? null
                    : after(Instant.ofEpochMilli((day + 1) * 86_400_000L).plus(within), now);
        }
    }

    /** How many visits the profile kept, or how many of them reached into a window before now. */
    record Visits(Count count, Duration within) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            if (within == null) {
                return count.test(profile.visitCount());
            }
            Instant windowStart = now.minus(within);
            long visits = 0;
            for (var visit : profile.visits()) {
                if (!visit.end().isBefore(windowStart)) {
                    visits++;
                }
            }
            return count.test(visits);
        }

        /** The window (none: no change with time): the count does not move the instant a visit leaves it. */
        @Override
        public Object changesWith() {
            return within == null ? null : List.of(Visits.class, within);
        }

        /** When a counted visit leaves the window: one window and a millisecond after its end. */
        @Override
        public Instant nextChange(Profile profile, Instant now) {
            if (within == null) {
                return null;
            }
            // in epoch milliseconds, as a visit's end is kept (every rule of a project is asked at every step)
            long nowMs = now.toEpochMilli();
            long windowMs = within.toMillis();
            long next = Long.MAX_VALUE;
            for (var visit : profile.visits()) {
                long leaves = visit.end().toEpochMilli() + windowMs + 1;
                if (leaves > nowMs && leaves < next) {
                    next = leaves;
                }
            }
            return next == Long.MAX_VALUE ? null : Instant.ofEpochMilli(next);
        }
    }

    /** The profile's last event is older than a duration before now. */
    record LastSeenOlderThan(Duration age) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            return profile.lastSeen() != null && profile.lastSeen().isBefore(now.minus(age));
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return profile.lastSeen() == null ? null : after(profile.lastSeen().plus(age).plusMillis(1), now);
        }
    }

    /** The profile's first event lies within a duration before now. */
    record FirstSeenWithin(Duration age) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            return profile.firstSeen() != null && !profile.firstSeen().isBefore(now.minus(age));
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return profile.firstSeen() == null ? null : after(profile.firstSeen().plus(age).plusMillis(1), now);
        }
    }

    /** A comparison of a count: {@code gte}, {@code lte} or {@code eq} a number. */
    record Count(String op, long value) implements Serializable {
        public boolean test(long count) {
            return switch (op) {
                case "gte" -> count >= value;
                case "lte" -> count <= value;
                case "eq" -> count == value;
                default -> throw new IllegalStateException("unknown count operator " + op);
            };
        }
    }
}
