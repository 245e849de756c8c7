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
            description = "HTTP address of a node (default: ${DEFAULT-VALUE}; env PROFILEGRID_URL).")
    URI url;

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
        return HttpRequest.newBuilder(url.resolve(pathAndQuery)).header("Authorization", "Bearer " + token)
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
            throw new IllegalArgumentException("no node answers at " + url + " (" + e + "); pass --url", e);
        }
        if (response.statusCode() == 401) {
            throw new IllegalArgumentException("the node at " + url + " refused the admin token");
        }
        return response;
    }
}
