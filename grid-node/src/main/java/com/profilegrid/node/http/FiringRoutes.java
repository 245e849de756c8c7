package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.triggers.Firings;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Firings and the safe-mode switch over the admin API: {@code GET /admin/projects/{projectId}/firings?trigger=&state=
 * &limit=} lists firings newest first with their attempts and last error; {@code POST .../firings/{firingId}/retry}
 * sends a dead or discarded one to delivery again. {@code GET /admin/safe-mode} shows the switch (state, since,
 * reason, deferred count); {@code POST /admin/safe-mode {"enabled": true, "reason": "..."}} turns it on;
 * {@code POST /admin/safe-mode/exit {"deferred": "deliver" | "discard", "olderThan": "PT6H"}} leaves it, deciding for
 * the deferred firings: deliver them all, deliver those fired within {@code olderThan} and discard the older ones, or
 * discard them all. A discarded firing keeps its reason.
 */
public final class FiringRoutes {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1_000;

    private final AdminBodies bodies;
    private final Firings firings;
    private final Runnable wake;
    private final Clock clock;

    public FiringRoutes(ProjectStore projects, Firings firings, Runnable wake, Clock clock) {
        this.bodies = new AdminBodies(projects);
        this.firings = firings;
        this.wake = wake;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/admin/projects/{projectId}/firings", this::list);
        routes.post("/admin/projects/{projectId}/firings/{firingId}/retry", this::retry);
        routes.get("/admin/safe-mode", this::safeMode);
        routes.post("/admin/safe-mode", this::switchOn);
        routes.post("/admin/safe-mode/exit", this::exit);
    }

    private void list(Context ctx) {
        String project = bodies.knownProject(ctx);
        if (project == null) {
            return;
        }
        String state = ctx.queryParam("state");
        if (state != null && !Firings.STATES.contains(state)) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "state: one of " + String.join(", ", Firings.STATES)
                    + ", not \"" + state + "\"");
            return;
        }
        int limit = HttpAnswers.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        if (limit < 0) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, HttpAnswers.limitRefusal(ctx, MAX_LIMIT));
            return;
        }
        String trigger = ctx.queryParam("trigger");
        ArrayNode rows = AdminBodies.JSON.createArrayNode();
        for (Firings.Row row : firings.list(project, trigger == null || trigger.isEmpty() ? null : trigger, state, limit)) {
            ObjectNode view = rows.addObject().put("firingId", row.firingId()).put("trigger", row.trigger())
                    .put("profileId", row.profileId()).put("state", row.state());
            view.putObject("cause").put("type", row.causeType()).put("name", row.causeName()).put("id", row.causeId());
            view.put("firedAt", Instant.ofEpochMilli(row.firedMs()).toString()).put("attempts", row.attempts());
            if (row.nextAttemptMs() != null) {
                view.put("nextAttemptAt", Instant.ofEpochMilli(row.nextAttemptMs()).toString());
            }
            if (row.finishedMs() != null) {
                view.put("finishedAt", Instant.ofEpochMilli(row.finishedMs()).toString());
            }
            if (row.lastError() != null) {
                view.put(row.state().equals("discarded") ? "reason" : "lastError", row.lastError());
            }
        }
        ctx.json(rows);
    }

    private void retry(Context ctx) {
        String project = bodies.knownProject(ctx);
        if (project == null) {
            return;
        }
        String firingId = ctx.pathParam("firingId");
        if (!firings.retry(project, firingId, clock.instant())) {
            AdminBodies.refuse(ctx, HttpStatus.NOT_FOUND, "no dead or discarded firing " + firingId + " in project "
                    + project + " (GET /admin/projects/" + project + "/firings?state=dead lists them)");
            return;
        }
        wake.run();
        ctx.json(AdminBodies.JSON.createObjectNode().put("firingId", firingId).put("retried", true));
    }

    private void safeMode(Context ctx) {
        ctx.json(view(firings.safeMode()));
    }

    private void switchOn(Context ctx) {
        JsonNode body = AdminBodies.body(ctx, "{\"enabled\": true, \"reason\": \"traffic spike\"}");
        if (body == null || !AdminBodies.onlyFields(ctx, body, "enabled", "reason")) {
            return;
        }
        JsonNode enabled = body.get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/enabled: must be true or false");
            return;
        }
        if (!enabled.asBoolean()) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/enabled: leave safe mode with POST /admin/safe-mode/exit "
                    + "{\"deferred\": \"deliver\" | \"discard\", \"olderThan\": \"PT6H\"}, which decides for the "
                    + firings.safeMode().deferred() + " deferred firing(s)");
            return;
        }
        JsonNode reason = body.get("reason");
        if (reason == null || !reason.isTextual() || reason.asText().isBlank()) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/reason: say why, for whoever finds it on");
            return;
        }
        ctx.json(view(firings.setSafeMode(true, reason.asText(), clock.instant())));
    }

    private void exit(Context ctx) {
        JsonNode body = AdminBodies.body(ctx, "{\"deferred\": \"deliver\"}");
        if (body == null || !AdminBodies.onlyFields(ctx, body, "deferred", "olderThan")) {
            return;
        }
        JsonNode deferred = body.get("deferred");
        if (deferred == null || !deferred.isTextual()
                || !(deferred.asText().equals("deliver") || deferred.asText().equals("discard"))) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/deferred: \"deliver\" or \"discard\": what becomes of the "
                    + "firings deferred in safe mode");
            return;
        }
        Duration olderThan = null;
        JsonNode older = body.get("olderThan");
        if (older != null) {
            try {
                olderThan = Duration.parse(older.asText());
            } catch (DateTimeParseException e) {
                olderThan = null;
            }
            if (!older.isTextual() || olderThan == null || olderThan.isNegative()) {
                AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/olderThan: an ISO-8601 duration such as \"PT6H\"");
                return;
            }
        }
        Instant now = clock.instant();
        Firings.SafeModeState before = firings.safeMode();
        if (!before.enabled()) {
            AdminBodies.refuse(ctx, HttpStatus.CONFLICT, "safe mode is off");
            return;
        }
        boolean discard = deferred.asText().equals("discard");
        Instant cut = olderThan == null ? (discard ? Instant.MAX : null) : now.minus(olderThan);
        String reason = "discarded on leaving safe mode (" + before.reason() + ")"
                + (olderThan == null ? "" : ": fired more than " + olderThan + " before");
        Firings.Exit exit = firings.exit(cut, reason, now);
        wake.run();
        ObjectNode view = view(firings.safeMode());
        view.put("delivering", exit.delivering()).put("discarded", exit.discarded());
        ctx.json(view);
    }

    private static ObjectNode view(Firings.SafeModeState state) {
        ObjectNode view = AdminBodies.JSON.createObjectNode().put("enabled", state.enabled())
                .put("state", state.enabled() ? "on" : "off");
        if (state.enabled()) {
            view.put("since", state.since().toString()).put("reason", state.reason());
        }
        return view.put("deferred", state.deferred());
    }
}
