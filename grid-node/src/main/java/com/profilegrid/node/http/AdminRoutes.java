package com.profilegrid.node.http;

import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.rebuild.ProfileRebuild;
import com.profilegrid.node.rebuild.RebuildStatus;
import com.profilegrid.node.project.ProjectStore;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.profilegrid.pipelines.profile.DeadLetter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;

/**
 * The admin API, for operators: {@code GET /admin/projects}, {@code POST /admin/projects} with
 * {@code {"name": ...}} (answers the new keys, shown only once), {@code POST /admin/projects/{id}/revoke};
 * {@code POST /admin/rebuild} starts rebuilding all profiles from the tracking log ({@code ?project=<id>}: that
 * project's alone), {@code GET /admin/rebuild} tells its progress; a rebuild already running elsewhere in the
 * cluster gets 409; {@code GET /admin/dead-letters} lists the events the profile pipeline could not fold
 * ({@code ?project=}, {@code ?limit=}), newest first.
 * Authenticated with {@code Authorization: Bearer <admin token>}, compared in constant time.
 */
public final class AdminRoutes {

    private static final int MAX_DEAD_LETTERS = 100_000;

    private final ProjectStore projects;
    private final ProjectKeys keys;
    private final ProfileRebuild rebuild;
    private final IMap<String, DeadLetter> deadLetters;
    private final byte[] token;

    public AdminRoutes(ProjectStore projects, ProjectKeys keys, ProfileRebuild rebuild,
                       IMap<String, DeadLetter> deadLetters, String adminToken) {
        this.projects = projects;
        this.keys = keys;
        this.rebuild = rebuild;
        this.deadLetters = deadLetters;
        this.token = adminToken.getBytes(StandardCharsets.UTF_8);
    }

    public void register(RoutesConfig routes) {
        routes.before("/admin/*", this::authorize);
        routes.get("/admin/projects", ctx -> ctx.json(projects.list()));
        routes.post("/admin/projects", this::create);
        routes.post("/admin/projects/{projectId}/revoke", this::revoke);
        routes.post("/admin/rebuild", this::rebuild);
        routes.get("/admin/rebuild", ctx -> ctx.json(rebuild.status()));
        routes.get("/admin/dead-letters", this::deadLetters);
    }

    /** The newest dead letters first, every project's or {@code ?project=}'s, at most {@code ?limit=} (1000). */
    private void deadLetters(Context ctx) {
        String project = ctx.queryParam("project");
        int limit;
        try {
            limit = Integer.parseInt(ctx.queryParamAsClass("limit", String.class).getOrDefault("1000"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_DEAD_LETTERS) {
            HttpAnswers.failure(ctx, HttpStatus.BAD_REQUEST.getCode(), "limit must be 1 to " + MAX_DEAD_LETTERS);
            return;
        }
        Collection<DeadLetter> letters = project == null ? deadLetters.values()
                : deadLetters.values(Predicates.equal("project", project));
        ctx.json(letters.stream()
                .sorted(Comparator.comparing(DeadLetter::firstSeen).reversed().thenComparing(DeadLetter::key))
                .limit(limit).toList());
    }

    private void authorize(Context ctx) {
        String header = ctx.header("Authorization");
        byte[] presented = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(presented, token)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"ProfileGrid admin\"");
            ctx.skipRemainingHandlers();
            HttpAnswers.failure(ctx, HttpStatus.UNAUTHORIZED.getCode(), header == null
                    ? "admin token required: send Authorization: Bearer <token> (the node prints where its token is "
                    + "at start: the admin-token file in its data directory, or PROFILEGRID_ADMIN_TOKEN)"
                    : "wrong admin token: use the token in the node's data directory (admin-token) or "
                    + "PROFILEGRID_ADMIN_TOKEN, as Authorization: Bearer <token>");
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
        ProjectStore.Created created = projects.create(text);
        keys.invalidateAll();
        ctx.status(HttpStatus.CREATED).json(created);
    }

    private void revoke(Context ctx) {
        boolean revoked = projects.revoke(ctx.pathParam("projectId"));
        keys.invalidateAll();
        ctx.status(revoked ? HttpStatus.OK : HttpStatus.NOT_FOUND)
                .json(Map.of("projectId", ctx.pathParam("projectId"), "revoked", revoked));
    }
}
