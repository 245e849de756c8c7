package com.profilegrid.node.http;

import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.OperationTimeoutException;
import com.hazelcast.spi.exception.RetryableException;
import com.profilegrid.node.store.DatabaseFailures;
import com.profilegrid.node.support.Causes;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which failures of a request are passing, not the node's fault: the database unreachable (a profile read that must
 * load from it while it is down; found in the cause chain, under the store's {@code ProfileStoreException}), a member
 * gone or a partition moving (Hazelcast gave up retrying), the member shutting down. Invariant 6 asks every request
 * for 2xx, 429 or 503 with {@code Retry-After} within a bounded time; these are answered 503, anything else 500.
 */
final class Unavailable {

    /** What a 503 asks the client to wait: about the pool's wait for a connection. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    /** At most one WARN in this time: an outage answers every read 503, and the log should not echo each. */
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final AtomicLong lastWarned = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    private Unavailable() {
    }

    /**
     * The passing failure in {@code failure}'s cause chain, if there is one: a database failure that passes
     * ({@link DatabaseFailures#passing}), Hazelcast's retryable and timeout failures, a member shutting down. A
     * statement the database refuses for good is the node's fault: 500, logged with its trace.
     */
    static Optional<Throwable> causeOf(Throwable failure) {
        return Causes.of(failure).stream().filter(cause -> cause instanceof SQLException sql && DatabaseFailures.passing(sql)
                || cause instanceof RetryableException || cause instanceof OperationTimeoutException
                || cause instanceof HazelcastInstanceNotActiveException).findFirst();
    }

    /** Whether this 503 is logged at WARN (the first in {@link #WARN_EVERY_NANOS}); the others go to DEBUG. */
    static boolean warnNow() {
        long last = lastWarned.get();
        long now = System.nanoTime();
        return now - last >= WARN_EVERY_NANOS && lastWarned.compareAndSet(last, now);
    }

    /** The failure and its deepest cause, in a few words for the answer and the log. */
    static String describe(Throwable passing) {
        List<Throwable> chain = Causes.of(passing);
        Throwable root = chain.get(chain.size() - 1);
        String what = passing instanceof SQLException ? "the database did not answer" : "the cluster did not answer";
        return what + ": " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
