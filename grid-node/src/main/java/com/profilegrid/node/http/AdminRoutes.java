package com.profilegrid.node.http;

import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.rebuild.ProfileRebuild;
import com.profilegrid.node.rebuild.RebuildStatus;
import com.profilegrid.node.project.ProjectStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * The admin API, for operators: {@code GET /admin/projects}, {@code POST /admin/projects} with
 * {@code {"name": ...}} (answers the new keys, shown only once), {@code POST /admin/projects/{id}/revoke};
 * {@code POST /admin/rebuild} starts rebuilding all profiles from the tracking log ({@code ?project=<id>}: that
 * project's alone), {@code GET /admin/rebuild} tells its progress; a rebuild already running elsewhere in the
 * cluster gets 409.
 * Authenticated with {@code Authorization: Bearer <admin token>}, compared in constant time.
 */
public final class AdminRoutes {

    private final ProjectStore projects;
    private final ProjectKeys keys;
    private final ProfileRebuild rebuild;
    private final byte[] token;

    public AdminRoutes(ProjectStore projects, ProjectKeys keys, ProfileRebuild rebuild, String adminToken) {
        this.projects = projects;
        this.keys = keys;
        this.rebuild = rebuild;
        this.token = adminToken.getBytes(StandardCharsets.UTF_8);
    }

    public void register(RoutesConfig routes) {
        routes.before("/admin/*", this::authorize);
        routes.get("/admin/projects", ctx -> ctx.json(projects.list()));
        routes.post("/admin/projects", this::create);
        routes.post("/admin/projects/{projectId}/revoke", this::revoke);
        routes.post("/admin/rebuild", this::rebuild);
        routes.get("/admin/rebuild", ctx -> ctx.json(rebuild.status()));
    }

    private void authorize(Context ctx) {
        String header = ctx.header("Authorization");
        byte[] presented = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(presented, token)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"ProfileGrid admin\"");
            ctx.skipRemainingHandlers();
            HttpAnswers.failure(ctx, HttpStatus.UNAUTHORIZED.getCode(), "admin token required");
        }
    }

    private void rebuild(Context ctx) throws InterruptedException {
        String project = ctx.queryParam("project");
        if (project != null && projects.list().stream().noneMatch(known -> known.projectId().equals(project))) {
            HttpAnswers.failure(ctx, HttpStatus.NOT_FOUND.getCode(), "no project " + project);
            return;
        }
        RebuildStatus status = rebuild.start(project);
        ctx.status(status.state().equals("FAILED") ? HttpStatus.CONFLICT : HttpStatus.ACCEPTED).json(status);
    }

    private void create(Context ctx) {
        Map<?, ?> body;
        try {
            body = ctx.bodyAsClass(Map.class);
        } catch (RuntimeException e) {
            HttpAnswers.failure(ctx, HttpStatus.BAD_REQUEST.getCode(), "body must be {\"name\": \"...\"}");
            return;
        }
        Object name = body.get("name");
        if (!(name instanceof String text) || text.isBlank() || text.length() > ProjectStore.MAX_NAME_LENGTH) {
            HttpAnswers.failure(ctx, HttpStatus.BAD_REQUEST.getCode(),
                    "name must be a string of 1 to " + ProjectStore.MAX_NAME_LENGTH + " characters");
            return;
        }
        ctx.status(HttpStatus.CREATED).json(projects.create(text));
    }

    private void revoke(Context ctx) {
        boolean revoked = projects.revoke(ctx.pathParam("projectId"));
        keys.invalidateAll();
        ctx.status(revoked ? HttpStatus.OK : HttpStatus.NOT_FOUND)
                .json(Map.of("projectId", ctx.pathParam("projectId"), "revoked", revoked));
    }
}
