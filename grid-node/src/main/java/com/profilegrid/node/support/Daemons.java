package com.profilegrid.node.support;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The node's background timers: one daemon thread each, named for what it does (it shows in thread dumps). */
public final class Daemons {

    /** How long {@link #stop} waits for a task under way. */
    public static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private Daemons() {
    }

    /** A single-thread scheduler on a daemon thread called {@code name}. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Stops {@code executor}: interrupts what it runs and waits, at most {@link #STOP_WAIT}, for that to end. A node
     * closes its parts in the reverse order it opened them, so a task under way (a query of the figures, a sweep of
     * the label timers) must end before the database pool it uses closes: the pool logged each connection such a
     * task still held as broken by the close.
     */
    public static void stop(ExecutorService executor) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
