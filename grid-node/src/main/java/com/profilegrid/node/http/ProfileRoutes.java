package com.profilegrid.node.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.client.internal.ProfileLookup;
import com.profilegrid.model.Profile;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import com.profilegrid.node.project.KeyKind;
import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.support.JsonText;
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
        ctx.contentType("application/json").result(render(profile.get()));
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

    /**
     * The profile as JSON: property values as JSON (not text), times as ISO-8601, sets and maps in sorted order. Written
     * straight to text, without a tree: each webhook a trigger fires carries it, made once per step.
     */
    public static String render(Profile profile) {
        return JsonText.of(JSON, 1024, out -> write(out, profile));
    }

    private static void write(JsonGenerator out, Profile profile) throws java.io.IOException {
        out.writeStartObject();
        out.writeStringField("projectId", profile.project());
        out.writeStringField("profileId", profile.profileId());
        out.writeObjectFieldStart("identities");
        out.writeStringField("userId", profile.identities().userId());
        writeSorted(out, "anonymousIds", profile.identities().anonymousIds());
        writeSorted(out, "emails", profile.identities().emails());
        out.writeEndObject();
        out.writeObjectFieldStart("properties");
        for (var property : new TreeMap<>(profile.properties()).entrySet()) {
            out.writeFieldName(property.getKey());
            out.writeTree(parse(property.getValue().json()));
        }
        out.writeEndObject();
        out.writeObjectFieldStart("eventCounts");
        for (var count : new TreeMap<>(profile.eventCounts()).entrySet()) {
            out.writeNumberField(count.getKey(), count.getValue());
        }
        out.writeEndObject();
        // by UTC day, then event name: {"2026-11-01": {"Purchase": 2}} (kept for the visit retention); the keys
        // ("<epoch day>:<name>") sorted as text keep each day's together
        out.writeObjectFieldStart("eventCountsByDay");
        String dayOpen = null;
        for (var count : new TreeMap<>(profile.dailyCounts()).entrySet()) {
            String key = count.getKey();
            int colon = key.indexOf(':');
            String day = key.substring(0, colon);
            if (!day.equals(dayOpen)) {
                if (dayOpen != null) {
                    out.writeEndObject();
                }
                out.writeObjectFieldStart(java.time.LocalDate.ofEpochDay(Long.parseLong(day)).toString());
                dayOpen = day;
            }
            out.writeNumberField(key.substring(colon + 1), count.getValue());
        }
        if (dayOpen != null) {
            out.writeEndObject();
        }
        out.writeEndObject();
        out.writeStringField("firstSeen", profile.firstSeen() == null ? null : profile.firstSeen().toString());
        out.writeStringField("lastSeen", profile.lastSeen() == null ? null : profile.lastSeen().toString());
        out.writeNumberField("visitCount", profile.visitCount());
        out.writeArrayFieldStart("visits");
        for (Visit visit : profile.visits()) {
            out.writeStartObject();
            out.writeStringField("start", visit.start().toString());
            out.writeStringField("end", visit.end().toString());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeArrayFieldStart("recentEvents");
        for (RecentEvent event : profile.recentEvents()) {
            out.writeStartObject();
            out.writeStringField("messageId", event.messageId());
            out.writeStringField("type", event.type().wireName());
            out.writeStringField("name", event.name());
            out.writeStringField("timestamp", event.timestamp().toString());
            out.writeEndObject();
        }
        out.writeEndArray();
        writeSorted(out, "labels", profile.labels());
        out.writeEndObject();
    }

    private static void writeSorted(JsonGenerator out, String field, java.util.Collection<String> values)
            throws java.io.IOException {
        out.writeArrayFieldStart(field);
        for (String value : new TreeSet<>(values)) {
            out.writeString(value);
        }
        out.writeEndArray();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }
}
