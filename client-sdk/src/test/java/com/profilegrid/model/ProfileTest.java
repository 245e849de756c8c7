package com.profilegrid.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileTest {

    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
    private static final ProfileKey KEY = new ProfileKey("acme", "visitor-1");

    @Test
    void when_properties_arrive_out_of_order_then_the_latest_event_wins() {
        PropertyValue early = new PropertyValue("\"free\"", T0, "m-1");
        PropertyValue late = new PropertyValue("\"pro\"", T0.plusSeconds(5), "m-2");

        Profile inOrder = Profile.empty(KEY).withProperty("plan", early).withProperty("plan", late);
        Profile reversed = Profile.empty(KEY).withProperty("plan", late).withProperty("plan", early);

        assertThat(inOrder).isEqualTo(reversed);
        assertThat(inOrder.properties().get("plan").json()).isEqualTo("\"pro\"");
    }

    @Test
    void when_two_events_share_a_timestamp_then_the_message_id_breaks_the_tie() {
        PropertyValue a = new PropertyValue("1", T0, "m-a");
        PropertyValue b = new PropertyValue("2", T0, "m-b");

        assertThat(Profile.empty(KEY).withProperty("x", b).withProperty("x", a).properties().get("x")).isEqualTo(b);
        assertThat(Profile.empty(KEY).withProperty("x", a).withProperty("x", b).properties().get("x")).isEqualTo(b);
    }

    @Test
    void when_events_are_seen_in_any_order_then_first_and_last_seen_are_min_and_max() {
        Profile profile = Profile.empty(KEY).withSeenAt(T0.plusSeconds(10)).withSeenAt(T0).withSeenAt(T0.plusSeconds(5));

        assertThat(profile.firstSeen()).isEqualTo(T0);
        assertThat(profile.lastSeen()).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void when_counted_then_counters_add_and_the_original_is_unchanged() {
        Profile original = Profile.empty(KEY);
        Profile counted = original.withEventCounted("Page Viewed", 1).withEventCounted("Page Viewed", 2);

        assertThat(counted.eventCounts()).containsEntry("Page Viewed", 3L);
        assertThat(original.eventCounts()).isEmpty();
    }

    @Test
    void when_times_have_sub_millisecond_precision_then_they_are_kept_to_the_millisecond() {
        Profile profile = Profile.empty(KEY).withSeenAt(Instant.parse("2026-11-01T10:00:00.123456789Z"));

        assertThat(profile.firstSeen()).isEqualTo(Instant.parse("2026-11-01T10:00:00.123Z"));
    }

    @Test
    void when_labels_change_then_membership_follows() {
        Profile profile = Profile.empty(KEY).withLabel("vip").withLabel("trial").withoutLabel("trial");

        assertThat(profile.labels()).containsExactly("vip");
    }

    @Test
    void when_ids_are_missing_or_too_long_then_construction_is_refused() {
        assertThatThrownBy(() -> new ProfileKey(" ", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("project");
        assertThatThrownBy(() -> new ProfileKey("acme", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("profileId");
        assertThatThrownBy(() -> new ProfileKey("acme", "x".repeat(ProfileKey.MAX_PROFILE_ID_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than");
        assertThatThrownBy(() -> new Visit(T0, T0.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void when_identities_grow_then_sets_do_not_repeat() {
        Identities ids = Identities.NONE.withAnonymousId("a1").withAnonymousId("a1").withEmail("x@example.com").withUserId("u1");

        assertThat(ids.anonymousIds()).isEqualTo(Set.of("a1"));
        assertThat(ids.emails()).isEqualTo(Set.of("x@example.com"));
        assertThat(ids.userId()).isEqualTo("u1");
    }
}
