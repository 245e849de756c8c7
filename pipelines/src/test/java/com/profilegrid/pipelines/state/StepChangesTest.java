package com.profilegrid.pipelines.state;

import com.profilegrid.model.EventType;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.rules.Change;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.RuleBook;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static com.profilegrid.pipelines.state.RawIdEntryTest.FOLD;
import static com.profilegrid.pipelines.state.RawIdEntryTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The profile step yields what it changed (labels entered and exited, event triggers matched), caused by the event it
 * applied; a repeat of the step (its first answer lost) yields the same changes again, so that they are recorded
 * after all, under the same ids; a step that changes nothing yields nothing.
 */
class StepChangesTest {

    private static final ProfileKey USER = new ProfileKey("acme", "user:u1");

    @Test
    void when_a_step_is_repeated_then_it_answers_the_changes_it_made_the_first_time() {
        RuleBook rules = proLabelAndSignupTrigger();
        Map.Entry<ProfileKey, ProfileState> entry = new AbstractMap.SimpleEntry<>(USER, null);

        StepProfile.Stepped first = step(rules, entry, 1, event("m1", EventType.IDENTIFY, null, "{\"plan\":\"pro\"}"));
        assertThat(first.changeList()).containsExactly(new Change(Change.Kind.ENTERED, "pro", "event:m1"));
        assertThat(entry.getValue().profile().labels()).containsExactly("pro");

        // the same step again (a replay after its answer was lost): nothing applied, the same changes answered
        StepProfile.Stepped repeat = step(rules, entry, 1, event("m1", EventType.IDENTIFY, null, "{\"plan\":\"pro\"}"));
        assertThat(repeat.step()).isEqualTo(ProfileState.Step.ALREADY_APPLIED.name());
        assertThat(repeat.changeList()).isEqualTo(first.changeList());

        StepProfile.Stepped signUp = step(rules, entry, 2, event("m2", EventType.TRACK, "Signed Up", "{}"));
        assertThat(signUp.changeList()).containsExactly(new Change(Change.Kind.EVENT, "signup", "event:m2"));
        StepProfile.Stepped nothing = step(rules, entry, 3, event("m3", EventType.TRACK, "Viewed", "{}"));
        assertThat(nothing.changeList()).isEmpty();

        StepProfile.Stepped leave = step(rules, entry, 4, event("m4", EventType.IDENTIFY, null, "{\"plan\":\"free\"}"));
        assertThat(leave.changeList()).containsExactly(new Change(Change.Kind.EXITED, "pro", "event:m4"));
        // the ids derive from the cause alone
        assertThat(leave.changeList().get(0).id("acme", "user:u1"))
                .isEqualTo(new Change(Change.Kind.EXITED, "pro", "event:m4").id("acme", "user:u1"))
                .isNotEqualTo(first.changeList().get(0).id("acme", "user:u1"));
    }

    @Test
    void when_any_step_is_replayed_then_it_answers_every_remembered_change_and_decides_its_own_triggers_if_forgotten() {
        RuleBook rules = proLabelAndSignupTrigger();
        Map.Entry<ProfileKey, ProfileState> entry = new AbstractMap.SimpleEntry<>(USER, null);
        step(rules, entry, 1, event("m1", EventType.IDENTIFY, null, "{\"plan\":\"pro\"}"));
        step(rules, entry, 2, event("m2", EventType.TRACK, "Signed Up", "{}"));
        step(rules, entry, 3, event("m3", EventType.TRACK, "Viewed", "{}"));

        // a replay from before all three (the job lost the records of each): any repeat answers them all
        StepProfile.Stepped repeat = step(rules, entry, 3, event("m3", EventType.TRACK, "Viewed", "{}"));
        assertThat(repeat.step()).isEqualTo(ProfileState.Step.ALREADY_APPLIED.name());
        assertThat(repeat.changeList()).containsExactly(new Change(Change.Kind.ENTERED, "pro", "event:m1"),
                new Change(Change.Kind.EVENT, "signup", "event:m2"));

        // a state that remembers nothing (a remake folded the events in): the event's triggers are decided again
        ProfileState forgetful = new ProfileState(entry.getValue().profile(), entry.getValue().absorbed(), 0);
        assertThat(StepProfile.replayed(rules, forgetful, forgetful.profile(),
                event("m2", EventType.TRACK, "Signed Up", "{}")))
                .containsExactly(new Change(Change.Kind.EVENT, "signup", "event:m2"));
        assertThat(StepProfile.replayed(rules, forgetful, forgetful.profile(), event("m3", EventType.TRACK, "Viewed", "{}")))
                .isEmpty();
        // a profile made again keeps what the state it replaces remembered
        assertThat(forgetful.rememberingAs(entry.getValue()).allRecalled()).isEqualTo(repeat.changeList());
    }

    @Test
    void when_more_steps_change_labels_than_it_remembers_then_the_oldest_is_forgotten() {
        ProfileState state = ProfileState.empty(USER);
        for (int i = 1; i <= ProfileState.RECENT_STEPS + 1; i++) {
            state = state.remember(ProfileState.stepKey("user:u1", i, false),
                    List.of(new Change(Change.Kind.ENTERED, "l" + i, "event:m" + i)));
        }
        assertThat(state.recent()).hasSize(ProfileState.RECENT_STEPS);
        assertThat(state.recalled(ProfileState.stepKey("user:u1", 1, false))).isEmpty();
        assertThat(state.recalled(ProfileState.stepKey("user:u1", 2, false))).hasSize(1);
    }

    /** A label {@code pro} (the plan is pro) and a trigger {@code signup} on the event "Signed Up". */
    private static RuleBook proLabelAndSignupTrigger() {
        RuleBook rules = new RuleBook(Duration.ofDays(90), Clock.fixed(T0.plusSeconds(3_600), ZoneOffset.UTC));
        rules.accept(new LabelDefinition("acme", "pro", "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}",
                T0, T0));
        rules.accept(new TriggerDefinition("acme", "signup", "{\"on\": {\"event\": \"Signed Up\"}, \"webhook\": "
                + "{\"url\": \"http://127.0.0.1:9/hook\", \"secret\": \"sixteen-characters\"}}", T0, T0));
        return rules;
    }

    private static StepProfile.Stepped step(RuleBook rules, Map.Entry<ProfileKey, ProfileState> entry, long version,
                                            TrackingEvent event) {
        StepProfile step = StepProfile.absorb("user:u1", version, ProfileState.UNREAD, event, FOLD);
        step.setHazelcastInstance(memberHolding(rules));
        return step.process(entry);
    }

    /** A member whose user context holds {@code rules}, and nothing else is asked of it. */
    private static HazelcastInstance memberHolding(RuleBook rules) {
        ConcurrentHashMap<String, Object> context = new ConcurrentHashMap<>(Map.of(RuleBook.USER_CONTEXT_KEY, rules));
        return (HazelcastInstance) Proxy.newProxyInstance(StepChangesTest.class.getClassLoader(),
                new Class<?>[]{HazelcastInstance.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getUserContext")) {
                        return context;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static TrackingEvent event(String messageId, EventType type, String name, String traits) {
        return new TrackingEvent("acme", messageId, type, name, null, "u1", null, null, T0.plusSeconds(Long.parseLong(messageId.substring(1))),
                T0, "{}", traits, "{}", "{}");
    }
}
