package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.node.project.ProjectStore;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.List;

/**
 * What the admin routes of a project's definitions share: the path's project checked, the body read as a JSON object,
 * unknown fields refused, refusals as the API's JSON problems. Each helper answers the request itself when it refuses
 * and returns {@code null} then.
 */
final class AdminBodies {

    static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectStore projects;

    AdminBodies(ProjectStore projects) {
        this.projects = projects;
    }

    /** The path's project if it exists and is not revoked; {@code null} once refused. */
    String knownProject(Context ctx) {
        String project = ctx.pathParam("projectId");
        boolean known = projects.list().stream().anyMatch(p -> p.projectId().equals(project) && p.active());
        if (!known) {
            refuse(ctx, HttpStatus.NOT_FOUND, "no project " + project);
            return null;
        }
        return project;
    }

    /** The request body as a JSON object; {@code null} once refused ({@code example} shows one). */
    static JsonNode body(Context ctx, String example) {
        try {
            JsonNode body = JSON.readTree(ctx.body());
            if (body != null && body.isObject()) {
                return body;
            }
        } catch (Exception e) {
            // refused below
        }
        refuse(ctx, HttpStatus.BAD_REQUEST, "body must be a JSON object such as " + example);
        return null;
    }

    /** Whether {@code body} has only {@code fields}; refused otherwise. */
    static boolean onlyFields(Context ctx, JsonNode body, String... fields) {
        for (java.util.Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!List.of(fields).contains(field)) {
                refuse(ctx, HttpStatus.BAD_REQUEST, "/" + field + ": unknown field beside " + String.join(", ", fields));
                return false;
            }
        }
        return true;
    }

    /** The JSON text {@code text} as a node, or as a string when it is not JSON. */
    static JsonNode parsed(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    /**
     * Whether a create's {@code putIfAbsent} found a definition other than its own {@code made}: an operation the grid
     * retried (its partition moved while it ran) meets its own first write, which counts as created.
     */
    static <D> boolean anotherFound(D found, D made, java.util.function.Function<D, ?> content,
                                    java.util.function.Function<D, java.time.Instant> created) {
        return found != null && !(content.apply(found).equals(content.apply(made))
                && created.apply(found).toEpochMilli() == created.apply(made).toEpochMilli());
    }

    static void refuse(Context ctx, HttpStatus status, String message) {
        HttpAnswers.failure(ctx, status.getCode(), message);
    }
}
