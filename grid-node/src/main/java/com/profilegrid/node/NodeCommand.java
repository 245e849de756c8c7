package com.profilegrid.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code profilegrid node}: runs one grid member until SIGTERM, then shuts it down gracefully. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start a ProfileGrid grid node (a Hazelcast member with HTTP) and run until stopped.")
final class NodeCommand implements Callable<Integer> {

    @Mixin
    NodeOptions options;

    @Option(names = "--demo", description = "Write a small demo data set after start, and log it.")
    boolean demo;

    @Override
    public Integer call() throws InterruptedException {
        GridNode node = GridNode.start(options.settings(demo));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } finally {
                stopped.countDown();
            }
        }, "profilegrid-shutdown"));
        stopped.await();
        return 0;
    }
}
