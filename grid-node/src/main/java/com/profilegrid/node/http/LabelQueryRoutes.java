package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.profilegrid.model.GridMaps;
import com.profilegrid.node.labels.LabelMembers;
import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.pipelines.rules.LabelDefinition;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Label queries with the project's read key: {@code GET /v1/labels} lists the project's labels with their member
 * counts; {@code GET /v1/labels/{name}/members?limit=100&cursor=...} gives a page of member profile ids and the
 * cursor of the next page ({@code null} after the last). Counts and members come from the persisted profiles, about
 * a second behind the grid.
 */
public final class LabelQueryRoutes {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1_000;

    private final ProjectKeys keys;
    private final IMap<String, LabelDefinition> labels;
    private final LabelMembers members;

    public LabelQueryRoutes(ProjectKeys keys, IMap<String, LabelDefinition> labels, LabelMembers members) {
        this.keys = keys;
        this.labels = labels;
        this.members = members;
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/labels", this::list);
        routes.get("/v1/labels/{name}/members", this::members);
    }

    private void list(Context ctx) {
        Optional<String> project = ProfileRoutes.readProject(ctx, keys);
        if (project.isEmpty()) {
            return;
        }
        ArrayNode all = AdminBodies.JSON.createArrayNode();
        labels.values(Predicates.equal("project", project.get())).stream()
                .sorted(Comparator.comparing(LabelDefinition::name))
                .forEach(label -> all.addObject().put("name", label.name())
                        .put("count", members.count(project.get(), label.name())));
        ctx.json(AdminBodies.JSON.createObjectNode().set("labels", all));
    }

    private void members(Context ctx) {
        Optional<String> project = ProfileRoutes.readProject(ctx, keys);
        if (project.isEmpty()) {
            return;
        }
        String name = ctx.pathParam("name");
        if (!labels.containsKey(GridMaps.projectKey(project.get(), name))) {
            HttpAnswers.failure(ctx, 404, "no label \"" + name + "\" in this project");
            return;
        }
        int limit = HttpAnswers.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        if (limit < 0) {
            HttpAnswers.failure(ctx, 400, HttpAnswers.limitRefusal(ctx, MAX_LIMIT));
            return;
        }
        String after = "";
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                HttpAnswers.failure(ctx, 400, "cursor: not one this API gave (pass nextCursor as it came)");
                return;
            }
        }
        List<String> page = members.page(project.get(), name, after, limit);
        ObjectNode answer = AdminBodies.JSON.createObjectNode().put("label", name);
        ArrayNode ids = answer.putArray("members");
        page.forEach(ids::add);
        if (page.size() == limit) {
            answer.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(
                    page.get(page.size() - 1).getBytes(StandardCharsets.UTF_8)));
        } else {
            answer.putNull("nextCursor");
        }
        ctx.json(answer);
    }
}
