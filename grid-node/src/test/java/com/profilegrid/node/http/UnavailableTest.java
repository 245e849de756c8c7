package com.profilegrid.node.http;

import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import com.profilegrid.node.store.ProfileStoreException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures a node answers 503 (they pass: retry) and which 500 (its own fault: logged with the trace). */
class UnavailableTest {

    @Test
    void when_the_pool_cannot_get_a_connection_then_the_failure_passes_whatever_wraps_it() {
        SQLException poolTimeout = new SQLTransientConnectionException("Connection is not available, request timed out");
        Throwable failure = new HazelcastException(new ProfileStoreException("cannot load profiles", poolTimeout));

        assertThat(Unavailable.causeOf(failure)).containsSame(poolTimeout);
        assertThat(Unavailable.describe(poolTimeout)).startsWith("the database did not answer: "
                + "SQLTransientConnectionException");
    }

    @Test
    void when_the_connection_fails_or_the_server_shuts_down_then_the_failure_passes() {
        assertThat(Unavailable.causeOf(new ProfileStoreException("cannot load", new SQLException("refused", "08001"))))
                .isPresent();
        assertThat(Unavailable.causeOf(new SQLException("terminating connection due to administrator command", "57P01")))
                .isPresent();
        assertThat(Unavailable.causeOf(new SQLException("Connection is broken", "90067"))).isPresent();
    }

    @Test
    void when_the_database_refuses_a_statement_for_good_then_it_is_the_nodes_fault() {
        assertThat(Unavailable.causeOf(new ProfileStoreException("cannot load",
                new SQLException("syntax error at or near \"FORM\"", "42601")))).isEmpty();
        assertThat(Unavailable.causeOf(new IllegalStateException("a bug"))).isEmpty();
    }

    @Test
    void when_the_grid_does_not_answer_or_its_target_left_then_the_failure_passes() {
        assertThat(Unavailable.causeOf(new OperationTimeoutException("no answer within 5000 ms"))).isPresent();
        assertThat(Unavailable.causeOf(new HazelcastException(new TargetNotMemberException("gone")))).isPresent();
        assertThat(Unavailable.describe(new OperationTimeoutException("no answer")))
                .isEqualTo("the cluster did not answer: OperationTimeoutException: no answer");
    }
}
