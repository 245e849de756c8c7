package com.profilegrid.node.store;

import io.github.resilience4j.retry.Retry;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlRetriesTest {

    private static final String UNIQUE_VIOLATION = "23505";
    private final Retry onRace = SqlRetries.onStates("test", 3, Duration.ZERO, Set.of(UNIQUE_VIOLATION));

    @Test
    void when_a_call_fails_with_a_state_the_policy_names_then_it_is_tried_again_until_it_succeeds() throws SQLException {
        AtomicInteger calls = new AtomicInteger();

        String result = SqlRetries.call(onRace, () -> {
            if (calls.incrementAndGet() < 3) {
                throw new SQLException("raced", UNIQUE_VIOLATION);
            }
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(3);
    }

    @Test
    void when_every_attempt_fails_then_the_caller_gets_the_last_failure_as_it_was() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> SqlRetries.call(onRace, () -> {
            throw new SQLException("raced " + calls.incrementAndGet(), UNIQUE_VIOLATION);
        })).isExactlyInstanceOf(SQLException.class).hasMessage("raced 3");
    }

    @Test
    void when_a_call_fails_otherwise_then_it_is_not_tried_again() {
        AtomicInteger calls = new AtomicInteger();

        // another state, no state at all (drivers leave it null for their own failures), an unchecked failure
        for (Exception failure : new Exception[] {new SQLException("syntax", "42601"), new SQLException("closed"),
                new IllegalStateException("bug")}) {
            calls.set(0);
            assertThatThrownBy(() -> SqlRetries.call(onRace, () -> {
                calls.incrementAndGet();
                if (failure instanceof SQLException sql) {
                    throw sql;
                }
                throw (RuntimeException) failure;
            })).isSameAs(failure);
            assertThat(calls).as(failure.toString()).hasValue(1);
        }
    }
}
