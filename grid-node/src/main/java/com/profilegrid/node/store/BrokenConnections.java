package com.profilegrid.node.store;

import com.zaxxer.hikari.SQLExceptionOverride;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;

/**
 * Tells the pool to drop a connection whose error says the connection itself is gone. HikariCP knows the
 * standard SQLSTATE classes (08, 57P01...); H2 reports a closed database as 90121 with a
 * connection-exception type, which would otherwise keep dead connections in the pool after a restart.
 */
final class BrokenConnections implements SQLExceptionOverride {

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        if (e instanceof SQLNonTransientConnectionException || e instanceof SQLRecoverableException) {
            return SQLExceptionOverride.Override.MUST_EVICT;
        }
        return SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
