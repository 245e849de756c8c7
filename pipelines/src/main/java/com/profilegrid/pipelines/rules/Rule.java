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

    /** Every sub-rule matches. */
    record All(List<Rule> rules) implements Rule {
        public All {
            rules = List.copyOf(rules);
        }

        @Override
        public boolean matches(Profile profile, Instant now) {
            return rules.stream().allMatch(rule -> rule.matches(profile, now));
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
    }

    /** The sub-rule does not match. */
    record Not(Rule rule) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            return !rule.matches(profile, now);
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
    }

    /** How many visits the profile kept, or how many of them reached into a window before now. */
    record Visits(Count count, Duration within) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            long visits = within == null ? profile.visitCount()
                    : profile.visits().stream().filter(visit -> !visit.end().isBefore(now.minus(within))).count();
            return count.test(visits);
        }
    }

    /** The profile's last event is older than a duration before now. */
    record LastSeenOlderThan(Duration age) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            return profile.lastSeen() != null && profile.lastSeen().isBefore(now.minus(age));
        }
    }

    /** The profile's first event lies within a duration before now. */
    record FirstSeenWithin(Duration age) implements Rule {
        @Override
        public boolean matches(Profile profile, Instant now) {
            return profile.firstSeen() != null && !profile.firstSeen().isBefore(now.minus(age));
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
