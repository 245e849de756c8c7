package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.Visit;
import com.profilegrid.pipelines.fold.DailyCounts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rule's next change with time alone is where a label's timer is set: never late (at that instant, or just after,
 * the answer differs from just before), and absent for a rule time cannot change.
 */
class RuleNextChangeTest {

    private static final RuleParser PARSER = new RuleParser(Duration.ofDays(90));
    private static final Instant FIRST = Instant.parse("2026-11-10T08:00:00Z");
    private static final Instant LAST = Instant.parse("2026-11-20T18:30:00Z");
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    private static final Profile PROFILE = Profile.empty(new ProfileKey("acme", "user:u1")).withSeenAt(FIRST)
            .withSeenAt(LAST).withVisits(List.of(new Visit(FIRST, FIRST.plusSeconds(600)), new Visit(LAST, LAST)))
            .withDailyCounts(Map.of(DailyCounts.key(DailyCounts.day(LAST), "Purchase"), 2L));

    @Test
    void when_a_rule_depends_on_time_then_its_answer_flips_at_its_next_change() throws Exception {
        for (String rule : List.of("{\"lastSeen\": {\"olderThan\": \"P2D\"}}", "{\"firstSeen\": {\"within\": \"P14D\"}}",
                "{\"visits\": {\"gte\": 1}, \"within\": \"P3D\"}", "{\"event\": \"Purchase\", \"count\": {\"gte\": 2}, "
                        + "\"within\": \"P7D\"}", "{\"not\": {\"lastSeen\": {\"olderThan\": \"P2D\"}}}")) {
            Rule parsed = parse(rule);
            Instant next = parsed.nextChange(PROFILE, NOW);
            assertThat(next).as(rule).isAfter(NOW);
            assertThat(parsed.matches(PROFILE, next)).as(rule).isNotEqualTo(parsed.matches(PROFILE, next.minusMillis(1)));
        }
    }

    @Test
    void when_rules_combine_then_the_earliest_change_counts_and_a_property_has_none() throws Exception {
        Rule both = parse("{\"all\": [{\"lastSeen\": {\"olderThan\": \"P2D\"}}, {\"firstSeen\": {\"within\": \"P14D\"}}]}");
        assertThat(both.nextChange(PROFILE, NOW)).isEqualTo(LAST.plus(Duration.ofDays(2)).plusMillis(1));
        assertThat(parse("{\"property\": \"plan\", \"op\": \"exists\"}").nextChange(PROFILE, NOW)).isNull();
        assertThat(parse("{\"visits\": {\"gte\": 1}}").nextChange(PROFILE, NOW)).isNull();
        // an instant passed is no timer
        assertThat(parse("{\"lastSeen\": {\"olderThan\": \"PT1H\"}}").nextChange(PROFILE, NOW)).isNull();
    }

    private static Rule parse(String rule) throws Exception {
        return PARSER.parse(new ObjectMapper().readTree(rule), "/rule");
    }
}
