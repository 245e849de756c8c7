package com.profilegrid.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code profilegrid dead-letters}: the events the profile pipeline could not fold, through a running node. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "List the tracking events the profile pipeline could not fold (newest first): project, message "
                + "id, log shard and seq, reason, first seen.")
final class DeadLettersCommand implements Callable<Integer> {

    @Mixin
    AdminConnection node;

    @Option(names = "--project", description = "This project's dead letters alone (default: every project's).")
    String project;

    @Option(names = "--limit", defaultValue = "1000", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
        ProjectCommand.print(node.get("/admin/dead-letters?limit=" + limit
                + (project == null ? "" : "&project=" + URLEncoder.encode(project, StandardCharsets.UTF_8))));
        return 0;
    }
}
