package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid rebuild}: rebuilds every profile (or one project's) from the tracking log through a running node,
 * showing progress.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Rebuild all profiles (or one project's) from the tracking log while the cluster serves; "
                + "prints progress until done.")
final class RebuildCommand implements Callable<Integer> {

    @Mixin
    AdminConnection node;

    @Option(names = "--project", description = "Rebuild this project's profiles alone (default: every project).")
    String project;

    @Override
    public Integer call() throws Exception {
        JsonNode status = node.post("/admin/rebuild"
                + (project == null ? "" : "?project=" + URLEncoder.encode(project, StandardCharsets.UTF_8)));
        try (CliProgress progress = CliProgress.of("Rebuild", " events")) {
            while (status.path("state").asText().equals("CATCHING_UP") || status.path("state").asText().equals("SWITCHING")) {
                progress.update(status.path("eventsRead").asLong(), status.path("eventsInLog").asLong(-1),
                        status.path("state").asText());
                Thread.sleep(500);
                status = node.get("/admin/rebuild");
            }
            long read = status.path("eventsRead").asLong();
            long inLog = status.path("eventsInLog").asLong(-1);
            // done means caught up: the new generation went on with the events that came in while it switched
            progress.update(status.path("state").asText().equals("DONE") ? Math.max(read, inLog) : read, inLog,
                    status.path("state").asText());
        }
        ProjectCommand.print(status);
        return status.path("state").asText().equals("DONE") ? 0 : 1;
    }
}
