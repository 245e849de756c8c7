package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Each operator and combinator on a profile folded from events, with the clock given as {@code now}. */
class RuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
    private static final Duration GAP = Duration.ofMinutes(30);
    private static final ProfileFold FOLD = new ProfileFold(new FoldSettings(GAP, 5).withVisitRetention(Duration.ofDays(90)));
    private static final RuleParser PARSER = new RuleParser(Duration.ofDays(90));
    private int messages;

    /** A visitor with traits plan=pro, age=41, tags=[a, b], email, beta=null, a quote; two purchases a week apart. */
    private final Profile profile = fold(
            event(EventType.IDENTIFY, null, T0, "{\"plan\":\"pro\",\"age\":41,\"tags\":[\"a\",\"b\"],"
                    + "\"email\":\"ann@example.com\",\"beta\":null,\"since\":\"2025-06-01\",\"quote\":\"say \\\"hi\\\"\"}"),
            event(EventType.TRACK, "Purchase", T0.plus(Duration.ofDays(1)), "{}"),
            event(EventType.TRACK, "Purchase", T0.plus(Duration.ofDays(8)), "{}"));

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}|true",
            "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"free\"}|false",
            "{\"property\": \"age\", \"op\": \"eq\", \"value\": 41.0}|true",
            "{\"property\": \"age\", \"op\": \"eq\", \"value\": \"41\"}|false",
            "{\"property\": \"plan\", \"op\": \"neq\", \"value\": \"free\"}|true",
            "{\"property\": \"missing\", \"op\": \"neq\", \"value\": \"free\"}|true",
            "{\"property\": \"beta\", \"op\": \"neq\", \"value\": \"x\"}|true",
            "{\"property\": \"missing\", \"op\": \"eq\", \"value\": \"free\"}|false",
            "{\"property\": \"plan\", \"op\": \"in\", \"value\": [\"team\", \"pro\"]}|true",
            "{\"property\": \"plan\", \"op\": \"in\", \"value\": [\"team\"]}|false",
            "{\"property\": \"email\", \"op\": \"contains\", \"value\": \"@example\"}|true",
            "{\"property\": \"tags\", \"op\": \"contains\", \"value\": \"b\"}|true",
            "{\"property\": \"tags\", \"op\": \"contains\", \"value\": \"c\"}|false",
            "{\"property\": \"email\", \"op\": \"startsWith\", \"value\": \"ann\"}|true",
            "{\"property\": \"email\", \"op\": \"startsWith\", \"value\": \"bob\"}|false",
            "{\"property\": \"age\", \"op\": \"gt\", \"value\": 40}|true",
            "{\"property\": \"age\", \"op\": \"gt\", \"value\": 41}|false",
            "{\"property\": \"age\", \"op\": \"gte\", \"value\": 41}|true",
            "{\"property\": \"age\", \"op\": \"lt\", \"value\": 41.5}|true",
            "{\"property\": \"age\", \"op\": \"lte\", \"value\": 40}|false",
            "{\"property\": \"age\", \"op\": \"gt\", \"value\": \"40\"}|false",
            "{\"property\": \"since\", \"op\": \"lt\", \"value\": \"2026-01-01\"}|true",
            "{\"property\": \"quote\", \"op\": \"eq\", \"value\": \"say \\\"hi\\\"\"}|true",
            "{\"property\": \"quote\", \"op\": \"startsWith\", \"value\": \"say \\\"h\"}|true",
            "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"\\u0070ro\"}|true",
            "{\"property\": \"email\", \"op\": \"exists\"}|true",
            "{\"property\": \"beta\", \"op\": \"exists\"}|false",
            "{\"property\": \"missing\", \"op\": \"exists\"}|false",
            "{\"event\": \"Purchase\", \"count\": {\"gte\": 2}}|true",
            "{\"event\": \"Purchase\", \"count\": {\"eq\": 2}}|true",
            "{\"event\": \"Purchase\", \"count\": {\"lte\": 1}}|false",
            "{\"event\": \"Refund\", \"count\": {\"eq\": 0}}|true",
            "{\"all\": [{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}, {\"event\": \"Purchase\", \"count\": {\"gte\": 3}}]}|false",
            "{\"any\": [{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"free\"}, {\"event\": \"Purchase\", \"count\": {\"gte\": 2}}]}|true",
            "{\"not\": {\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}}|false",
    })
    void when_a_rule_is_evaluated_then_it_matches_as_the_grammar_says(String rule, boolean matches) throws Exception {
        assertThat(parse(rule).matches(profile, T0.plus(Duration.ofDays(9)))).isEqualTo(matches);
    }

    @Test
    void when_time_moves_on_then_windowed_counts_drop_whole_days_as_they_leave_the_window() throws Exception {
        Rule twoIn30Days = parse("{\"event\": \"Purchase\", \"count\": {\"gte\": 2}, \"within\": \"P30D\"}");
        Rule oneIn7Days = parse("{\"event\": \"Purchase\", \"count\": {\"gte\": 1}, \"within\": \"P7D\"}");
        Instant lastPurchase = T0.plus(Duration.ofDays(8));

        assertThat(twoIn30Days.matches(profile, lastPurchase)).isTrue();
        // the first purchase's day is still in the window on the 30th day after it, and gone on the 31st
        assertThat(twoIn30Days.matches(profile, T0.plus(Duration.ofDays(31)))).isTrue();
        assertThat(twoIn30Days.matches(profile, T0.plus(Duration.ofDays(32)))).isFalse();
        assertThat(oneIn7Days.matches(profile, lastPurchase.plus(Duration.ofDays(7)))).isTrue();
        assertThat(oneIn7Days.matches(profile, lastPurchase.plus(Duration.ofDays(8)))).isFalse();
    }

    @Test
    void when_time_moves_on_then_visit_and_seen_rules_change_without_a_new_event() throws Exception {
        Rule threeVisitsIn7Days = parse("{\"visits\": {\"gte\": 3}, \"within\": \"P7D\"}");
        Rule twoVisitsIn7Days = parse("{\"visits\": {\"gte\": 2}, \"within\": \"P7D\"}");
        Rule dormant = parse("{\"lastSeen\": {\"olderThan\": \"P14D\"}}");
        Rule newcomer = parse("{\"firstSeen\": {\"within\": \"P1D\"}}");
        Instant last = T0.plus(Duration.ofDays(8));

        assertThat(parse("{\"visits\": {\"eq\": 3}}").matches(profile, last)).isTrue();
        assertThat(threeVisitsIn7Days.matches(profile, last)).isFalse();
        assertThat(twoVisitsIn7Days.matches(profile, T0.plus(Duration.ofDays(8)))).isTrue();
        assertThat(twoVisitsIn7Days.matches(profile, T0.plus(Duration.ofDays(8)).plusSeconds(1))).isFalse();

        assertThat(dormant.matches(profile, last.plus(Duration.ofDays(14)))).isFalse();
        assertThat(dormant.matches(profile, last.plus(Duration.ofDays(14)).plusMillis(1))).isTrue();
        assertThat(newcomer.matches(profile, T0.plus(Duration.ofDays(1)))).isTrue();
        assertThat(newcomer.matches(profile, T0.plus(Duration.ofDays(1)).plusMillis(1))).isFalse();
        assertThat(dormant.matches(Profile.empty(new ProfileKey("acme", "user:nobody")), last)).isFalse();
    }

    private Rule parse(String rule) throws Exception {
        return PARSER.parse(JSON.readTree(rule), "/rule");
    }

    private TrackingEvent event(EventType type, String name, Instant at, String traits) {
        return new TrackingEvent("acme", "m" + (++messages), type, name, "anon-1", "u1", null, null, at, at, "{}", traits,
                "{}", "{}");
    }

    private static Profile fold(TrackingEvent... events) {
        Profile profile = Profile.empty(new ProfileKey("acme", "user:u1"));
        for (TrackingEvent event : events) {
            profile = FOLD.apply(profile, event);
        }
        return profile;
    }
}
