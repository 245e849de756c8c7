package com.profilegrid.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid reconcile [--project]}: compares the persisted profiles with the grid and the grid with the
 * tracking log, through a running node, repairs what lags or was lost, and prints what it found and repaired.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = "Compare the persisted profiles with the grid and the grid with the tracking log; write again "
                + "profile rows that are missing or behind the grid, start a profile job that is missing; print what "
                + "was compared and repaired (JSON).")
final class ReconcileCommand implements Callable<Integer> {

    @Mixin
    AdminConnection node;

    @Option(names = "--project", description = "One project's profiles only.")
    String project;

    @Override
    public Integer call() throws Exception {
        String path = "/admin/reconcile" + (project == null ? "" : "?project="
                + URLEncoder.encode(project, StandardCharsets.UTF_8));
        // one request that answers when done: the bar shows the time it takes (the node reports no progress on the way)
        java.util.concurrent.CompletableFuture<AdminConnection.Answer> answer =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return node.exchange("POST", path, null);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        try (CliProgress progress = CliProgress.of("Reconcile", " s")) {
            long started = System.nanoTime();
            while (!answer.isDone()) {
                progress.update((System.nanoTime() - started) / 1_000_000_000L, -1,
                        "comparing the grid with the table and the log");
                Thread.sleep(200);
            }
            progress.update((System.nanoTime() - started) / 1_000_000_000L, -1, "done");
        }
        try {
            return LabelCommand.printed(answer.join());
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
