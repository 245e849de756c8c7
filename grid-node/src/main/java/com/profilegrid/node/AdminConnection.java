package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** How a command reaches a running node's admin API: its address and admin token (flags shared by commands). */
final class AdminConnection {

    @Option(names = "--url", defaultValue = "${env:PROFILEGRID_URL:-http://127.0.0.1:8080}",
            description = "HTTP address of any node, http://host:port or host:port (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_URL).")
    String address;

    private URI url;
    private boolean told;

    /** The node's address as given, {@code http://} added when it has no scheme. */
    URI url() {
        if (url == null) {
            String given = address.trim();
            try {
                url = URI.create(given.contains("://") ? given : "http://" + given);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--url " + given + " is not an address; give http://host:port or "
                        + "host:port of a node's HTTP API");
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("--url " + given + " names no host; give http://host:port or host:port");
            }
        }
        return url;
    }

    @Option(names = "--admin-token", defaultValue = "${env:PROFILEGRID_ADMIN_TOKEN}",
            description = "The node's admin token (env PROFILEGRID_ADMIN_TOKEN; default: read from --data-dir).")
    String adminToken;

    @Option(names = "--data-dir", defaultValue = "${env:PROFILEGRID_DATA_DIR:-data}",
            description = "The node's data directory, where it keeps its admin token (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_DATA_DIR).")
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).GET().build());
    }

    JsonNode post(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** What a node answered: its status and its JSON body. */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status < 400;
        }

        /** The refusal's message, or the whole body when it has none. */
        String message() {
            return body.has("message") ? body.get("message").asText() : body.toString();
        }
    }

    /** Sends {@code method} with a JSON {@code body} ({@code null}: none) and answers status and body. */
    Answer exchange(String method, String pathAndQuery, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(pathAndQuery);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = answer(request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
        return new Answer(response.statusCode(), ProjectCommand.JSON.readTree(response.body()));
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        String token = AdminToken.existing(adminToken, dataDir).orElseThrow(() -> new IllegalArgumentException(
                "no admin token: pass --admin-token or the node's --data-dir"));
        if (!told) {
            // say where this command acts, once, on stderr (stdout is the command's JSON)
            System.err.println("profilegrid: node " + url());
            told = true;
        }
        return HttpRequest.newBuilder(url().resolve(pathAndQuery)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30));
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        return ProjectCommand.JSON.readTree(answer(request).body());
    }

    private HttpResponse<String> answer(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = e instanceof java.net.ConnectException ? "connection refused"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException("no node answers at " + url() + " (" + why + "): start one, or point at a running node with "
                    + "--url host:port (or PROFILEGRID_URL)", e);
        }
        if (response.statusCode() == 401) {
            throw new IllegalArgumentException("the node at " + url() + " refused the admin token: pass the one in its "
                    + "data directory (--data-dir, file admin-token) or --admin-token (PROFILEGRID_ADMIN_TOKEN)");
        }
        return response;
    }
}
