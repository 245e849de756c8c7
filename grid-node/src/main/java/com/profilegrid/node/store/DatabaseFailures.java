package com.profilegrid.node.store;

import com.profilegrid.node.support.Causes;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Optional;
import java.util.Set;

/**
 * Which database failures pass: the database unreachable for now, not a statement or a setting it refuses for good.
 * One classification for the answers of requests (503 against 500) and for a node's start (wait, or stop at once).
 */
public final class DatabaseFailures {

    /** H2's own codes for a connection gone: broken (90067), the database closed (90098). */
    private static final Set<String> H2_CONNECTION_LOST = Set.of("90067", "90098");

    private DatabaseFailures() {
    }

    /**
     * Whether {@code failure} passes: the pool could not get a connection (its wait ran out), the connection failed or
     * broke (SQLState class 08, H2's own codes), the server is starting, shutting down or out of resources (57P, 53),
     * or it is one of the driver's transient, recoverable or connection kinds (H2's "database in use" among them, which
     * an embedded database's AUTO_SERVER peers meet while another opens it). A statement the database refuses for good
     * (a syntax error, a constraint) and a login it refuses (a wrong password, no such database) do not pass.
     */
    public static boolean passing(SQLException failure) {
        String state = failure.getSQLState() == null ? "" : failure.getSQLState();
        return failure instanceof SQLTransientException || failure instanceof SQLRecoverableException
                || failure instanceof SQLNonTransientConnectionException || state.startsWith("08")
                || state.startsWith("57P") || state.startsWith("53") || H2_CONNECTION_LOST.contains(state);
    }

    /**
     * The deepest database failure in {@code failure}'s cause chain: the driver's own, under the pool's "connection
     * not available" that carries it (a wrong password reaches the caller as the pool's timeout, with the refusal as
     * its cause).
     */
    public static Optional<SQLException> deepest(Throwable failure) {
        return Causes.of(failure).stream().filter(SQLException.class::isInstance).map(SQLException.class::cast)
                .reduce((outer, inner) -> inner);
    }
}
