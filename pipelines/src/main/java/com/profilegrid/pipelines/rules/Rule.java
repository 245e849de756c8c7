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
            return rules.stream().allMatch(rule -> rule.matches(profile, now));
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return nextOf(rules, profile, now);
        }
    }

    /** Some sub-rule matches. */
    record Any(List<Rule> rules) implements Rule {
        public Any {
            rules = List.copyOf(rules);
        }

        @Override
        public boolean matches(Profile profile, Instant now) {
            return rules.stream().anyMatch(rule -> rule.matches(profile, now));
        }

        @Override
        public Instant nextChange(Profile profile, Instant now) {
            return nextOf(rules, profile, now);
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
    }

    /** A property (trait) compared with a value ({@link PropertyTest}). */
    record Property(String name, PropertyTest test) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            var value = profile.properties().get(name);
            return test.test(value == null ? null : value.json());
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

        /** When the oldest counted day leaves the window: a day counts until one window after its end. */
        @Override
        public Instant nextChange(Profile profile, Instant now) {
            if (within == null) {
                return null;
            }
            Instant next = null;
            for (long day : DailyCounts.days(profile, event)) {
                next = earlier(next, after(Instant.ofEpochMilli((day + 1) * 86_400_000L).plus(within), now));
            }
            return next;
        }
    }

    /** How many visits the profile kept, or how many of them reached into a window before now. */
    record Visits(Count count, Duration within) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            long visits = within == null ? profile.visitCount()
                    : profile.visits().stream().filter(visit -> !visit.end().isBefore(now.minus(within))).count();
            return count.test(visits);
        }

        /** When a counted visit leaves the window: one window and a millisecond after its end. */
        @Override
        public Instant nextChange(Profile profile, Instant now) {
            if (within == null) {
                return null;
            }
            Instant next = null;
            for (var visit : profile.visits()) {
                next = earlier(next, after(visit.end().plus(within).plusMillis(1), now));
            }
            return next;
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
