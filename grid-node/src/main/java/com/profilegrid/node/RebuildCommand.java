package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid rebuild}: rebuilds every profile (or one project's) from the tracking log through a running node,
 * showing progress.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Rebuild all profiles (or one project's) from the tracking log while the cluster serves; "
                + "prints progress until done.")
final class RebuildCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "${env:PROFILEGRID_URL:-http://127.0.0.1:8080}",
            description = "HTTP address of a node (default: ${DEFAULT-VALUE}; env PROFILEGRID_URL).")
    URI url;

    @Option(names = "--project", description = "Rebuild this project's profiles alone (default: every project).")
    String project;

    @Option(names = "--admin-token", defaultValue = "${env:PROFILEGRID_ADMIN_TOKEN}",
            description = "The node's admin token (env PROFILEGRID_ADMIN_TOKEN; default: read from --data-dir).")
    String adminToken;

    @Option(names = "--data-dir", defaultValue = "${env:PROFILEGRID_DATA_DIR:-data}",
            description = "The node's data directory, where it keeps its admin token (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_DATA_DIR).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        String token = AdminToken.existing(adminToken, dataDir).orElseThrow(() -> new IllegalArgumentException(
                "no admin token: pass --admin-token or the node's --data-dir"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve("/admin/rebuild"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        URI start = url.resolve("/admin/rebuild"
                + (project == null ? "" : "?project=" + URLEncoder.encode(project, StandardCharsets.UTF_8)));
        JsonNode status = ProjectCommand.JSON.readTree(http.send(request.copy().uri(start)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body());
        while (status.path("state").asText().equals("CATCHING_UP") || status.path("state").asText().equals("SWITCHING")) {
            System.err.printf("%s: %d of %d events read, %.0f events/s, ETA %s s — %s%n", status.path("state").asText(),
                    status.path("eventsRead").asLong(), status.path("eventsInLog").asLong(),
                    status.path("eventsPerSecond").asDouble(), status.path("etaSeconds").asLong() < 0 ? "?"
                            : status.path("etaSeconds").asText(), status.path("message").asText());
            Thread.sleep(1_000);
            status = ProjectCommand.JSON.readTree(http.send(request.copy().GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        ProjectCommand.print(status);
        return status.path("state").asText().equals("DONE") ? 0 : 1;
    }
}
