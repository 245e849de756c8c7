package com.profilegrid.node.store;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;

/**
 * Database calls under a retry policy (resilience4j's {@link Retry}, configured where the call is made), keeping their
 * {@link SQLException} checked: the last failure is what the caller sees once the policy gives up.
 */
public final class SqlRetries {

    /** A database call. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws SQLException;
    }

    private SqlRetries() {
    }

    /**
     * A policy that tries a call again after {@code wait}, up to {@code attempts} in all, when it fails with one of the
     * SQL states given (such as a unique violation that a retry resolves by seeing the other writer's row).
     */
    public static Retry onStates(String name, int attempts, Duration wait, Set<String> sqlStates) {
        return Retry.of(name, RetryConfig.custom().maxAttempts(attempts).waitDuration(wait)
                .retryOnException(e -> e instanceof SQLException sql && sql.getSQLState() != null
                        && sqlStates.contains(sql.getSQLState())).build());
    }

    /** {@code call} under {@code retry}. */
    public static <T> T call(Retry retry, Call<T> call) throws SQLException {
        try {
            return retry.executeCallable(call::call);
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("a database call failed", e); // Call throws nothing else
        }
    }
}
