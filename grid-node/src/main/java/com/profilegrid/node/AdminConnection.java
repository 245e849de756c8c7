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
import java.util.ArrayList;
import java.util.List;

/**
 * How a command reaches a running node's admin API: the addresses of one or more nodes and the admin token (flags
 * shared by commands). Given several nodes ({@code --url a:8080,b:8080,c:8080}, the cluster's member list), a command
 * asks them in turn until one answers, so it works while any node of the cluster is up.
 */
final class AdminConnection {

    @Option(names = "--url", defaultValue = "${env:PROFILEGRID_URL:-http://127.0.0.1:8080}",
            description = "HTTP address of a node, http://host:port or host:port, or several separated by commas "
                    + "(asked in turn until one answers) (default: ${DEFAULT-VALUE}; env PROFILEGRID_URL).")
    String address;

    private List<URI> urls;
    /** The node that answered last: asked first next time. */
    private int current;
    /** The node this command last said it acts on (on stderr). */
    private URI told;

    /** The node asked first (the one that answered last), {@code http://} added when given without a scheme. */
    URI url() {
        return urls().get(current);
    }

    /** The nodes as given, in order. */
    List<URI> urls() {
        if (urls == null) {
            List<URI> parsed = new ArrayList<>();
            for (String part : address.split(",")) {
                String given = part.trim();
                if (given.isEmpty()) {
                    continue;
                }
                URI url;
                try {
                    url = URI.create(given.contains("://") ? given : "http://" + given);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--url " + given + " is not an address; give http://host:port or "
                            + "host:port of a node's HTTP API (several separated by commas)");
                }
                if (url.getHost() == null) {
                    throw new IllegalArgumentException("--url " + given + " names no host; give http://host:port or "
                            + "host:port");
                }
                parsed.add(url);
            }
            if (parsed.isEmpty()) {
                throw new IllegalArgumentException("--url names no node; give http://host:port or host:port");
            }
            urls = List.copyOf(parsed);
        }
        return urls;
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
        return send(pathAndQuery, request(pathAndQuery).GET().build());
    }

    JsonNode post(String pathAndQuery) throws IOException, InterruptedException {
        return send(pathAndQuery, request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()).build());
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
        HttpResponse<String> response = answer(pathAndQuery, request.method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
        return new Answer(response.statusCode(), ProjectCommand.JSON.readTree(response.body()));
    }

    /** A request to {@code pathAndQuery} of the node asked first; {@link #answer} moves it to the others if need be. */
    private HttpRequest.Builder request(String pathAndQuery) {
        String token = AdminToken.existing(adminToken, dataDir).orElseThrow(() -> new IllegalArgumentException(
                "no admin token: pass --admin-token or the node's --data-dir"));
        return HttpRequest.newBuilder(url().resolve(pathAndQuery)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30));
    }

    private JsonNode send(String pathAndQuery, HttpRequest request) throws IOException, InterruptedException {
        return ProjectCommand.JSON.readTree(answer(pathAndQuery, request).body());
    }

    /** Sends {@code request} (to {@code pathAndQuery}) to each node in turn, from the one asked first, until one answers. */
    private HttpResponse<String> answer(String pathAndQuery, HttpRequest request) throws IOException, InterruptedException {
        List<URI> nodes = urls();
        List<String> failures = new ArrayList<>();
        for (int tried = 0; tried < nodes.size(); tried++) {
            int index = (current + tried) % nodes.size();
            URI node = nodes.get(index);
            HttpRequest toNode = HttpRequest.newBuilder(request, (name, value) -> true)
                    .uri(node.resolve(pathAndQuery)).build();
            if (!node.equals(told)) {
                // say where this command acts, on stderr (stdout is the command's JSON)
                System.err.println("profilegrid: node " + node + (told == null ? "" : " (" + told + " did not answer)"));
                told = node;
            }
            HttpResponse<String> response;
            try {
                response = http.send(toNode, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                boolean notReached = e instanceof java.net.ConnectException
                        || e instanceof java.net.http.HttpConnectTimeoutException;
                String why = e instanceof java.net.ConnectException ? "connection refused"
                        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                failures.add(node + " (" + why + ")");
                if (!notReached && !"GET".equals(request.method())) {
                    // the node may have acted on it before it failed: not sent to another node a second time
                    throw new IllegalArgumentException("no answer from " + node + " (" + why + "); it may or may not "
                            + "have acted: check with the status or list command before running it again", e);
                }
                continue;
            }
            current = index;
            if (response.statusCode() == 401) {
                throw new IllegalArgumentException("the node at " + node + " refused the admin token: pass the one in "
                        + "its data directory (--data-dir, file admin-token) or --admin-token (PROFILEGRID_ADMIN_TOKEN)");
            }
            return response;
        }
        throw new IllegalArgumentException("no node answers at " + String.join(", ", failures) + ": start one, or point "
                + "at a running node with --url host:port (or PROFILEGRID_URL; several separated by commas)");
    }
}
