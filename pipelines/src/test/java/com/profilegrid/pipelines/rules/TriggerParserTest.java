package com.profilegrid.pipelines.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.PropertyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A trigger's definition is read whole or refused naming its faulty part; what fires it is a pure function. */
class TriggerParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TriggerParser PARSER = new TriggerParser(new RuleParser(Duration.ofDays(90)));
    private static final String HOOK = "\"webhook\": {\"url\": \"https://example.com/hook\", \"secret\": \"sixteen-characters\"}";

    @Test
    void when_a_trigger_is_valid_then_it_is_read_with_its_defaults() throws Exception {
        Trigger trigger = parse("{\"on\": {\"labelEntered\": \"trial\"}, " + HOOK + "}");
        assertThat(trigger.on()).isEqualTo(new Trigger.LabelEntered("trial"));
        assertThat(trigger.webhook().timeoutMs()).isEqualTo(TriggerParser.DEFAULT_TIMEOUT_MS);
        assertThat(trigger.onBackfill()).isFalse();
        assertThat(trigger.firedBy(new Change(Change.Kind.ENTERED, "trial", "event:m1"))).isTrue();
        assertThat(trigger.firedBy(new Change(Change.Kind.EXITED, "trial", "event:m1"))).isFalse();
        assertThat(trigger.firedBy(new Change(Change.Kind.ENTERED, "trial", "backfill:trial@1"))).isFalse();
        assertThat(parse("{\"on\": {\"labelEntered\": \"trial\"}, \"onBackfill\": true, " + HOOK + "}")
                .firedBy(new Change(Change.Kind.ENTERED, "trial", "backfill:trial@1"))).isTrue();
    }

    @Test
    void when_an_event_trigger_has_rules_then_they_test_the_event_and_the_profile() throws Exception {
        Trigger.OnEvent on = (Trigger.OnEvent) parse("{\"on\": {\"event\": \"Signed Up\", \"where\": {\"property\": "
                + "\"source\", \"op\": \"eq\", \"value\": \"ad\"}, \"profile\": {\"property\": \"plan\", \"op\": "
                + "\"exists\"}}, " + HOOK + "}").on();
        Instant now = Instant.parse("2026-12-01T00:00:00Z");
        Profile ad = withProperty("source", "\"ad\"", now);
        Profile planned = withProperty("plan", "\"pro\"", now);
        assertThat(on.matches("Signed Up", ad, planned, now)).isTrue();
        assertThat(on.matches("Signed Up", withProperty("source", "\"organic\"", now), planned, now)).isFalse();
        assertThat(on.matches("Signed Up", ad, Profile.empty(new ProfileKey("acme", "user:u1")), now)).isFalse();
        assertThat(on.matches("Logged In", ad, planned, now)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"webhook\": {}}|/on: missing",
            "{\"on\": {\"labelEnterd\": \"x\"}, WEBHOOK}|/on: expected one of",
            "{\"on\": {\"labelEntered\": \"bad name!\"}, WEBHOOK}|/on/labelEntered: must be a label's name",
            "{\"on\": {\"event\": \"E\", \"where\": {\"visits\": {\"gte\": 1}}}, WEBHOOK}|/on/where: a rule on an event's properties",
            "{\"on\": {\"event\": \"E\", \"profile\": {\"property\": \"p\", \"op\": \"equals\", \"value\": 1}}, WEBHOOK}|/on/profile/op: unknown operator",
            "{\"on\": {\"labelExited\": \"x\"}}|/webhook: missing",
            "{\"on\": {\"labelExited\": \"x\"}, \"webhook\": {\"url\": \"ftp://h/x\", \"secret\": \"sixteen-characters\"}}|/webhook/url: must be an absolute http or https URL",
            "{\"on\": {\"labelExited\": \"x\"}, \"webhook\": {\"url\": \"http://h/x\", \"secret\": \"short\"}}|/webhook/secret: must be a string of 16",
            "{\"on\": {\"labelExited\": \"x\"}, \"webhook\": {\"url\": \"http://h/x\", \"secret\": \"sixteen-characters\", \"timeoutMs\": 5}}|/webhook/timeoutMs: must be a whole number",
            "{\"on\": {\"labelExited\": \"x\"}, WEBHOOK, \"onBackfil\": true}|/onBackfil: unknown field",
    })
    void when_a_trigger_is_not_valid_then_the_refusal_names_its_path(String definition, String message) {
        assertThatThrownBy(() -> parse(definition.replace("WEBHOOK", HOOK)))
                .isInstanceOf(RuleException.class).hasMessageStartingWith(message);
    }

    private static Trigger parse(String definition) throws Exception {
        return PARSER.parse("acme", "t", JSON.readTree(definition));
    }

    private static Profile withProperty(String name, String json, Instant at) {
        return Profile.empty(new ProfileKey("acme", "user:u1")).withProperty(name, new PropertyValue(json, at, "m"));
    }
}
