package com.profilegrid.node.support;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A costly figure is measured again only once fifty times its own cost has passed; a cheap one at every ask. */
class CostBoundedFigureTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicLong measurements = new AtomicLong();
    private final CostBoundedFigure<Long> figure = new CostBoundedFigure<>(now::get);

    /** A measurement that takes {@code millis} of the clock and answers how many measurements there were. */
    private long measureTaking(long millis) {
        now.addAndGet(millis * 1_000_000);
        return measurements.incrementAndGet();
    }

    @Test
    void when_a_measurement_took_a_second_then_the_next_is_made_fifty_seconds_after_it_ended() {
        assertThat(figure.get(() -> measureTaking(1000))).isEqualTo(1L);
        now.addAndGet(49_000_000_000L);
        assertThat(figure.get(() -> measureTaking(1000))).as("49 s after: the last value").isEqualTo(1L);
        now.addAndGet(999_000_000L);
        assertThat(figure.get(() -> measureTaking(1000))).as("just before 50 s: still the last").isEqualTo(1L);
        now.addAndGet(1_000_000L);
        assertThat(figure.get(() -> measureTaking(1000))).as("50 s after it ended: measured again").isEqualTo(2L);
        assertThat(measurements).hasValue(2);
    }

    @Test
    void when_measurements_cost_nothing_then_each_ask_measures() {
        for (int ask = 1; ask <= 5; ask++) {
            assertThat(figure.get(() -> measureTaking(0))).isEqualTo((long) ask);
            now.addAndGet(1);
        }
    }

    @Test
    void when_a_measurement_fails_then_it_is_made_again_at_the_next_ask() {
        assertThatThrownBy(() -> figure.get(() -> {
            throw new SQLException("database down");
        })).isInstanceOf(SQLException.class);
        assertThat(figure.get(() -> measureTaking(1000))).isEqualTo(1L);
    }
}
