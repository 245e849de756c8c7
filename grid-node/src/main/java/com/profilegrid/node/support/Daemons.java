package com.profilegrid.node.support;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The node's background timers: one daemon thread each, named for what it does (it shows in thread dumps). */
public final class Daemons {

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
}
