package com.profilegrid.node.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.EventType;
import io.javalin.http.Context;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.content.ByteBufferContentSource;

import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The bodies Woopra's trackers post: a URL-encoded form (server SDKs), or the browser tracker's beacon, a
 * {@code multipart/form-data} form (what {@code navigator.sendBeacon} sends for a {@code FormData}) whose field
 * {@code payload} holds one JSON line per hit. Multipart bodies are parsed by Jetty's parser (the HTTP server's own),
 * from the bytes already read under the request's size limit.
 */
final class WoopraForms {

    /** The most hits one beacon may carry (the browser tracker sends fewer than 64 KiB of them at a time). */
    static final int MAX_HITS = 500;

    private static final ObjectMapper JSON = Json.untrustedInput(SegmentMessages.MAX_BATCH_BYTES);

    /** One hit of a beacon: the kind of entry its endpoint makes and its parameters. */
    record Hit(EventType type, Map<String, String> params) {
    }

    private WoopraForms() {
    }

    /** The fields of a posted form, by its content type (URL-encoded when it names none). */
    static Map<String, String> fields(Context ctx, byte[] body) {
        String contentType = ctx.header("Content-Type");
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return multipart(contentType, body);
        }
        return urlEncoded(new String(body, StandardCharsets.UTF_8));
    }

    static Map<String, String> urlEncoded(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(name, value);
            } catch (IllegalArgumentException e) {
                throw IngestException.badRequest("form body is not valid URL encoding");
            }
        }
        return params;
    }

    private static Map<String, String> multipart(String contentType, byte[] body) {
        String boundary = MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty()) {
            throw IngestException.badRequest("multipart/form-data body without a boundary in its Content-Type");
        }
        MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
        parser.setMaxLength(body.length);
        parser.setMaxParts(WoopraRequests.MAX_PARAMETERS);
        parser.setMaxMemoryFileSize(body.length); // every part in memory: the body is already bounded and read
        Map<String, String> fields = new LinkedHashMap<>();
        try (MultiPartFormData.Parts parts = parser.parse(new ByteBufferContentSource(ByteBuffer.wrap(body))).get()) {
            for (MultiPart.Part part : parts) {
                if (part.getName() != null) {
                    fields.put(part.getName(), part.getContentAsString(StandardCharsets.UTF_8));
                }
            }
        } catch (ExecutionException e) {
            throw IngestException.badRequest("multipart/form-data body cannot be read: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IngestException.unavailable("interrupted", 1, e);
        }
        return fields;
    }

    /** The hits of a beacon's {@code payload}: one JSON object per line. */
    static List<Hit> pushed(String payload) {
        if (payload == null || payload.isBlank()) {
            throw IngestException.badRequest("a /track/push beacon needs the form field 'payload' (JSON lines of "
                    + "{\"endpoint\": ..., \"params\": {...}})");
        }
        List<Hit> hits = new ArrayList<>();
        String[] lines = payload.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            if (hits.size() == MAX_HITS) {
                throw IngestException.tooLarge("beacon has more than " + MAX_HITS + " hits");
            }
            String where = "payload line " + (i + 1);
            JsonNode hit;
            try {
                hit = JSON.readTree(line);
            } catch (JacksonException e) {
                throw IngestException.badRequest(where + " is not JSON: " + e.getOriginalMessage());
            }
            String endpoint = hit.path("endpoint").asText("");
            EventType type = WoopraRequests.ENDPOINTS.get(endpoint);
            if (type == null) {
                throw IngestException.badRequest(where + ": endpoint '" + SegmentMessages.abbreviate(endpoint)
                        + "' is not one of " + String.join(", ", new java.util.TreeSet<>(WoopraRequests.ENDPOINTS.keySet())));
            }
            JsonNode params = hit.path("params");
            if (!params.isObject()) {
                throw IngestException.badRequest(where + ": params must be an object");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> param = it.next();
                JsonNode value = param.getValue();
                if (!value.isNull()) {
                    values.put(param.getKey(), value.isValueNode() ? value.asText() : value.toString());
                }
            }
            hits.add(new Hit(type, values));
        }
        if (hits.isEmpty()) {
            throw IngestException.badRequest("a /track/push beacon's payload has no hit");
        }
        return hits;
    }
}
