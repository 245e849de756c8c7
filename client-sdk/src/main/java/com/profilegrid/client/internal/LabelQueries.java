package com.profilegrid.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.client.LabelPage;
import com.profilegrid.client.ProfileGridException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The label queries of a node's HTTP API ({@code GET /v1/labels...}) with the project's read key. */
final class LabelQueries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String readKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LabelQueries(URI base, String readKey) {
        this.base = base;
        this.readKey = readKey;
    }

    Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        get("/v1/labels").path("labels").forEach(label -> counts.put(label.path("name").asText(),
                label.path("count").asLong()));
        return counts;
    }

    LabelPage members(String label, int limit, String cursor) {
        String path = "/v1/labels/" + URLEncoder.encode(label, StandardCharsets.UTF_8).replace("+", "%20")
                + "/members?limit=" + limit + (cursor == null ? "" : "&cursor="
                + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        JsonNode page = get(path);
        List<String> members = new ArrayList<>();
        page.path("members").forEach(id -> members.add(id.asText()));
        JsonNode next = page.path("nextCursor");
        return new LabelPage(label, members, next.isTextual() ? next.asText() : null);
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + readKey).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new ProfileGridException("GET " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ProfileGridException("cannot reach ProfileGrid at " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProfileGridException("interrupted while querying labels", e);
        }
    }
}
