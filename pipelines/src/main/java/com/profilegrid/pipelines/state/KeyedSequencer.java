package com.profilegrid.pipelines.state;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs asynchronous operations one at a time per key, in the order they are submitted, while operations of different
 * keys run concurrently. The state steps need it: a raw id's positions and a profile's versions must be applied in
 * order, and Jet's asynchronous mapping keeps several operations of one processor in flight. After a failure the
 * key's later operations fail without running: applying a later position after a failed earlier one would make a
 * replay skip the earlier one for good, whereas failing them lets the job restart from its snapshot and replay all of
 * them in order.
 */
final class KeyedSequencer {

    private final Map<Object, CompletableFuture<?>> tails = new HashMap<>();

    /** Starts {@code operation} once every earlier operation of {@code key} has succeeded; fails if one failed. */
    synchronized <R> CompletableFuture<R> submit(Object key, Supplier<CompletableFuture<R>> operation) {
        CompletableFuture<?> previous = tails.get(key);
        CompletableFuture<R> next = previous == null ? operation.get()
                : previous.thenCompose(ignored -> operation.get());
        tails.put(key, next);
        // a failed tail stays: the key's later operations fail too (the job fails and replays from its snapshot)
        next.thenRun(() -> forget(key, next));
        return next;
    }

    private synchronized void forget(Object key, CompletableFuture<?> finished) {
        tails.remove(key, finished);
    }

    /** Keys with an operation in flight, or with a failed one. */
    synchronized int inFlightKeys() {
        return tails.size();
    }
}
