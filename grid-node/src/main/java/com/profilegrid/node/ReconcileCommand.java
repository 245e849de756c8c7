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
        return LabelCommand.printed(node.exchange("POST", "/admin/reconcile"
                + (project == null ? "" : "?project=" + URLEncoder.encode(project, StandardCharsets.UTF_8)), null));
    }
}
