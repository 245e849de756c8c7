package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every rule of the grammar is read; a rule that is not valid is refused with the JSON path of its faulty part. */
class RuleParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RuleParser parser = new RuleParser(Duration.ofDays(90));

    @Test
    void when_a_rule_uses_every_part_of_the_grammar_then_it_reads_as_the_same_tree() throws Exception {
        Rule rule = parse("""
                {"all": [
                  {"property": "plan", "op": "in", "value": ["pro", "team"]},
                  {"any": [{"event": "Purchase", "count": {"gte": 2}, "within": "P30D"}, {"visits": {"eq": 3}}]},
                  {"not": {"lastSeen": {"olderThan": "P14D"}}},
                  {"firstSeen": {"within": "P1D"}},
                  {"property": "email", "op": "exists"}
                ]}""");

        assertThat(rule).isEqualTo(new Rule.All(List.of(
                new Rule.Property("plan", new PropertyTest("in", "[\"pro\",\"team\"]")),
                new Rule.Any(List.of(new Rule.EventCount("Purchase", new Rule.Count("gte", 2), Duration.ofDays(30)),
                        new Rule.Visits(new Rule.Count("eq", 3), null))),
                new Rule.Not(new Rule.LastSeenOlderThan(Duration.ofDays(14))),
                new Rule.FirstSeenWithin(Duration.ofDays(1)),
                new Rule.Property("email", new PropertyTest("exists", null)))));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"all\": [{\"property\": \"plan\", \"op\": \"eq\", \"value\": 1}, {\"property\": \"plan\", \"op\": \"equals\", \"value\": 1}]}"
                    + "|/rule/all/1/op: unknown operator \"equals\"",
            "[]|/rule: a rule must be a JSON object",
            "{\"every\": []}|/rule: unknown rule",
            "{\"all\": []}|/rule/all: must be a non-empty array of rules",
            "{\"any\": {}}|/rule/any: must be a non-empty array of rules",
            "{\"not\": 3}|/rule/not: a rule must be a JSON object",
            "{\"property\": \"\", \"op\": \"eq\", \"value\": 1}|/rule/property: must be a string of 1 to",
            "{\"property\": \"plan\", \"value\": 1}|/rule/op: missing",
            "{\"property\": \"plan\", \"op\": \"eq\"}|/rule/value: missing",
            "{\"property\": \"plan\", \"op\": \"exists\", \"value\": true}|/rule/value: \"exists\" takes no value",
            "{\"property\": \"plan\", \"op\": \"in\", \"value\": \"pro\"}|/rule/value: \"in\" takes a non-empty array",
            "{\"property\": \"plan\", \"op\": \"startsWith\", \"value\": 3}|/rule/value: \"startsWith\" takes a string",
            "{\"property\": \"age\", \"op\": \"gt\", \"value\": [1]}|/rule/value: \"gt\" takes a number or a string",
            "{\"property\": \"plan\", \"op\": \"eq\", \"value\": {\"a\": 1}}|/rule/value: \"eq\" takes a string, number or boolean",
            "{\"property\": \"plan\", \"op\": \"eq\", \"value\": 1, \"extra\": 2}|/rule/extra: unknown field",
            "{\"event\": \"Purchase\"}|/rule/count: must be an object with one of",
            "{\"event\": \"Purchase\", \"count\": {\"more\": 2}}|/rule/count/more: unknown count operator",
            "{\"event\": \"Purchase\", \"count\": {\"gte\": -1}}|/rule/count/gte: must be a whole number of at least 0",
            "{\"event\": \"Purchase\", \"count\": {\"gte\": 1.5}}|/rule/count/gte: must be a whole number",
            "{\"event\": \"Purchase\", \"count\": {\"gte\": 1}, \"withn\": \"P1D\"}|/rule/withn: unknown field",
            "{\"event\": \"Purchase\", \"count\": {\"gte\": 1}, \"within\": \"30 days\"}|/rule/within: not an ISO-8601 duration",
            "{\"event\": \"Purchase\", \"count\": {\"gte\": 1}, \"within\": \"P400D\"}|/rule/within: P400D is longer than the 90 days",
            "{\"visits\": {\"gte\": 1}, \"within\": \"PT0S\"}|/rule/within: must be longer than zero",
            "{\"visits\": 3}|/rule/visits: must be an object with one of",
            "{\"lastSeen\": {\"before\": \"P1D\"}}|/rule/lastSeen: must be {\"olderThan\"",
            "{\"lastSeen\": {\"olderThan\": 14}}|/rule/lastSeen/olderThan: must be an ISO-8601 duration",
            "{\"firstSeen\": {\"within\": \"P1D\", \"x\": 1}}|/rule/firstSeen/x: unknown field",
    })
    void when_a_rule_is_not_valid_then_the_refusal_names_its_path(String rule, String message) {
        assertThatThrownBy(() -> parse(rule)).isInstanceOf(RuleException.class).hasMessageStartingWith(message);
    }

    @Test
    void when_rules_nest_too_deep_or_have_too_many_parts_then_they_are_refused() {
        String deep = "{\"not\": ".repeat(RuleParser.MAX_DEPTH) + "{\"visits\": {\"gte\": 1}}" + "}".repeat(RuleParser.MAX_DEPTH);
        assertThatThrownBy(() -> parse(deep)).isInstanceOf(RuleException.class).hasMessageContaining("nest at most");

        String wide = "{\"any\": [" + String.join(",", java.util.Collections.nCopies(RuleParser.MAX_PARTS,
                "{\"visits\": {\"gte\": 1}}")) + "]}";
        assertThatThrownBy(() -> parse(wide)).isInstanceOf(RuleException.class).hasMessageContaining("at most "
                + RuleParser.MAX_PARTS + " parts");
    }

    private Rule parse(String rule) throws Exception {
        JsonNode json = JSON.readTree(rule);
        return parser.parse(json, "/rule");
    }
}
