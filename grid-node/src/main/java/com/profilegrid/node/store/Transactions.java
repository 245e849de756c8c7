package com.profilegrid.node.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Runs work in one JDBC transaction: commit when it returns, roll back when it throws. */
public final class Transactions {

    /** Work on a connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** What follows a commit on its connection; a failure fails the call, though the commit stands. */
    @FunctionalInterface
    public interface AfterCommit {
        void run(Connection connection) throws SQLException;
    }

    /** Sets the parameters of one row of a batch. */
    @FunctionalInterface
    public interface Binder<R> {
        void bind(PreparedStatement statement, R row) throws SQLException;
    }

    private Transactions() {
    }

    /** {@code sql} once for each of {@code rows}, sent as one JDBC batch on {@code connection} (nothing when none). */
    public static <R> void batch(Connection connection, String sql, Iterable<R> rows, Binder<? super R> binder)
            throws SQLException {
        if (!rows.iterator().hasNext()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (R row : rows) {
                binder.bind(statement, row);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** As {@link #batch(Connection, String, Iterable, Binder)}, in a transaction of its own. */
    public static <R> void batch(DataSource dataSource, String sql, Iterable<R> rows, Binder<? super R> binder)
            throws SQLException {
        inTransaction(dataSource, connection -> {
            batch(connection, sql, rows, binder);
            return null;
        });
    }

    /**
     * {@code work} on a pooled connection as it comes (auto-commit): for a single statement, such as a read, that
     * needs no transaction of its own — one round trip instead of the four that begin, commit and reset take.
     */
    public static <T> T autoCommit(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        }
    }

    public static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        return inTransaction(dataSource, work, connection -> { });
    }

    /** As {@link #inTransaction(DataSource, Work)}, then {@code afterCommit} on the same connection (e.g. an fsync). */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work, AfterCommit afterCommit) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                afterCommit.run(connection);
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }
}
