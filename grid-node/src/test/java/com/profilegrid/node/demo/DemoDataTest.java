package com.profilegrid.node.demo;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's simulated time: 10 minutes a step, never ahead of the clock. */
class DemoDataTest {

    @Test
    void when_the_demo_steps_then_its_events_lie_in_the_past_ten_minutes_apart_up_to_now() {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        for (int n = 1; n <= DemoData.UPDATES; n++) {
            assertThat(DemoData.simulatedTime(now, n)).isBeforeOrEqualTo(now);
        }
        assertThat(DemoData.simulatedTime(now, DemoData.UPDATES)).isEqualTo(now);
        assertThat(Duration.between(DemoData.simulatedTime(now, 1), DemoData.simulatedTime(now, 2)))
                .isEqualTo(Duration.ofMinutes(10));
    }
}
