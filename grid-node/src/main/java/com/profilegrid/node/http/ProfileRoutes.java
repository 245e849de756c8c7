package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.client.internal.ProfileLookup;
import com.profilegrid.model.Profile;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.node.project.KeyKind;
import com.profilegrid.node.project.ProjectKeys;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code GET /v1/profiles/{id}}: a profile as JSON, found by any of its ids, for services that are not Java.
 * Authenticated with the project's read key (HTTP Basic user name, or {@code Bearer}); a write key alone
 * cannot read profiles.
 */
public final class ProfileRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long a read may wait for the grid: past it (a member holding the profile's partition paused or gone and not
     * yet replaced) the read is answered 503 with Retry-After rather than waiting out Hazelcast's 60 s call timeout.
     */
    static final java.time.Duration READ_WITHIN = java.time.Duration.ofSeconds(5);

    private final ProjectKeys keys;
    private final ProfileLookup lookup;

    public ProfileRoutes(ProjectKeys keys, ProfileLookup lookup) {
        this.keys = keys;
        this.lookup = lookup;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/profiles/{id}", this::get);
    }

    /** The project of the request's read key; empty once answered 401. */
    static Optional<String> readProject(Context ctx, ProjectKeys keys) {
        Optional<String> given = readKey(ctx);
        Optional<String> project = given.flatMap(key -> keys.projectFor(key, KeyKind.READ));
        if (project.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"ProfileGrid\"");
            HttpAnswers.failure(ctx, 401, ProjectKeys.refusal(given.orElse(null), KeyKind.READ)
                    + " (as the HTTP Basic user name, or Authorization: Bearer <key>)");
        }
        return project;
    }

    private void get(Context ctx) {
        Optional<String> project = readProject(ctx, keys);
        if (project.isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        Optional<Profile> profile = lookup.find(project.get(), id, READ_WITHIN);
        if (profile.isEmpty()) {
            HttpAnswers.failure(ctx, 404, "no profile with id " + id);
            return;
        }
        ctx.contentType("application/json").result(toJson(profile.get()).toString());
    }

    private static Optional<String> readKey(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(header.substring(7).trim());
        }
        try {
            return HttpAnswers.basicUser(header);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The profile as JSON: property values as JSON (not text), times as ISO-8601. */
    public static ObjectNode toJson(Profile profile) {
        ObjectNode out = JSON.createObjectNode().put("projectId", profile.project()).put("profileId", profile.profileId());
        ObjectNode ids = out.putObject("identities").put("userId", profile.identities().userId());
        new TreeSet<>(profile.identities().anonymousIds()).forEach(ids.putArray("anonymousIds")::add);
        new TreeSet<>(profile.identities().emails()).forEach(ids.putArray("emails")::add);
        ObjectNode properties = out.putObject("properties");
        new TreeMap<>(profile.properties()).forEach((name, value) -> properties.set(name, parse(value.json())));
        ObjectNode counts = out.putObject("eventCounts");
        new TreeMap<>(profile.eventCounts()).forEach(counts::put);
        // by UTC day, then event name: {"2026-11-01": {"Purchase": 2}} (kept for the visit retention)
        ObjectNode byDay = out.putObject("eventCountsByDay");
        new TreeMap<>(profile.dailyCounts()).forEach((key, count) -> {
            int colon = key.indexOf(':');
            String day = java.time.LocalDate.ofEpochDay(Long.parseLong(key.substring(0, colon))).toString();
            ObjectNode ofDay = byDay.has(day) ? (ObjectNode) byDay.get(day) : byDay.putObject(day);
            ofDay.put(key.substring(colon + 1), count);
        });
        out.put("firstSeen", profile.firstSeen() == null ? null : profile.firstSeen().toString());
        out.put("lastSeen", profile.lastSeen() == null ? null : profile.lastSeen().toString());
        out.put("visitCount", profile.visitCount());
        ArrayNode visits = out.putArray("visits");
        for (Visit visit : profile.visits()) {
            visits.addObject().put("start", visit.start().toString()).put("end", visit.end().toString());
        }
        ArrayNode recent = out.putArray("recentEvents");
        for (RecentEvent event : profile.recentEvents()) {
            recent.addObject().put("messageId", event.messageId()).put("type", event.type().wireName())
                    .put("name", event.name()).put("timestamp", event.timestamp().toString());
        }
        new TreeSet<>(profile.labels()).forEach(out.putArray("labels")::add);
        return out;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }
}
