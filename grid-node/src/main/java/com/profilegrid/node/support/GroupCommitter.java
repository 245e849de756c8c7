package com.profilegrid.node.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Group commit: callers submit items from many threads; one thread takes everything queued (up to a
 * batch limit), makes it durable in one go, and completes every caller's future. Commits happen in
 * submission order, one at a time. The queue is bounded: past {@code maxQueued} items a submit fails
 * at once instead of waiting behind a stalled commit.
 *
 * @param <T> the item type
 */
public final class GroupCommitter<T> implements AutoCloseable {

    /** Makes a batch durable; throwing fails every future of the batch. */
    @FunctionalInterface
    public interface Commit<T> {
        void commit(List<T> items) throws Exception;
    }

    private record Pending<T>(List<T> items, CompletableFuture<Void> done) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedItems = new AtomicInteger();
    private final int maxBatch;
    private final int maxQueued;
    private final Commit<T> commit;
    private final Thread thread;
    private volatile boolean closed;

    public GroupCommitter(String name, int maxBatch, int maxQueued, Commit<T> commit) {
        this.maxBatch = maxBatch;
        this.maxQueued = maxQueued;
        this.commit = commit;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public CompletableFuture<Void> submit(List<T> items) {
        if (closed) {
            return CompletableFuture.failedFuture(new RejectedExecutionException(thread.getName() + " is closed"));
        }
        if (queuedItems.addAndGet(items.size()) > maxQueued) {
            queuedItems.addAndGet(-items.size());
            return CompletableFuture.failedFuture(new RejectedExecutionException(
                    thread.getName() + " has more than " + maxQueued + " items waiting to commit"));
        }
        Pending<T> pending = new Pending<>(List.copyOf(items), new CompletableFuture<>());
        queue.add(pending);
        return pending.done();
    }

    private void run() {
        List<Pending<T>> batch = new ArrayList<>();
        List<T> items = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Pending<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                items.addAll(first.items());
                Pending<T> next;
                while (items.size() < maxBatch && (next = queue.poll()) != null) {
                    batch.add(next);
                    items.addAll(next.items());
                }
                commitBatch(batch, items);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
                items.clear();
            }
        }
        failRemaining();
    }

    private void commitBatch(List<Pending<T>> batch, List<T> items) {
        try {
            commit.commit(items);
            queuedItems.addAndGet(-items.size());
            batch.forEach(pending -> pending.done().complete(null));
        } catch (Exception e) {
            queuedItems.addAndGet(-items.size());
            LOG.debug("{}: commit of {} items failed", thread.getName(), items.size(), e);
            batch.forEach(pending -> pending.done().completeExceptionally(e));
        }
    }

    private void failRemaining() {
        Pending<T> pending;
        while ((pending = queue.poll()) != null) {
            queuedItems.addAndGet(-pending.items().size());
            pending.done().completeExceptionally(new RejectedExecutionException(thread.getName() + " is closed"));
        }
    }

    /** Commits what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        failRemaining();
    }
}
