package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.profilegrid.model.GridMaps;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.RuleException;
import com.profilegrid.pipelines.rules.RuleParser;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Label definitions over the admin API (the admin token is checked by {@link AdminRoutes} for all of {@code /admin}):
 * {@code POST /admin/projects/{projectId}/labels} with {@code {"name": ..., "rule": {...}}} creates one (409 if the
 * name is taken), {@code GET} lists them, {@code GET .../labels/{name}} shows one, {@code PUT .../labels/{name}} with
 * {@code {"rule": {...}}} creates or replaces its rule, {@code DELETE .../labels/{name}} removes it. A definition that
 * is not valid is refused with 400 and a message naming the faulty part by its JSON path
 * ({@code /rule/all/1/op: unknown operator "equals"}), and changes nothing.
 */
public final class LabelRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectStore projects;
    private final IMap<String, LabelDefinition> labels;
    private final RuleParser parser;
    private final Clock clock;

    public LabelRoutes(ProjectStore projects, IMap<String, LabelDefinition> labels, RuleParser parser, Clock clock) {
        this.projects = projects;
        this.labels = labels;
        this.parser = parser;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get("/admin/projects/{projectId}/labels", this::list);
        routes.post("/admin/projects/{projectId}/labels", this::create);
        routes.get("/admin/projects/{projectId}/labels/{name}", this::show);
        routes.put("/admin/projects/{projectId}/labels/{name}", this::replace);
        routes.delete("/admin/projects/{projectId}/labels/{name}", this::delete);
    }

    private void list(Context ctx) {
        String project = knownProject(ctx);
        if (project == null) {
            return;
        }
        List<ObjectNode> all = labels.values(Predicates.equal("project", project)).stream()
                .sorted(Comparator.comparing(LabelDefinition::name)).map(LabelRoutes::view).toList();
        ctx.json(all);
    }

    private void create(Context ctx) {
        String project = knownProject(ctx);
        JsonNode body = body(ctx);
        if (project == null || body == null) {
            return;
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || !LabelDefinition.NAME.matcher(name.asText()).matches()) {
            refuse(ctx, HttpStatus.BAD_REQUEST, "/name: " + NAME_RULE);
            return;
        }
        String rule = rule(ctx, body, "name", "rule");
        if (rule == null) {
            return;
        }
        LabelDefinition label = new LabelDefinition(project, name.asText(), rule, clock.instant(), clock.instant());
        if (labels.putIfAbsent(key(project, label.name()), label) != null) {
            refuse(ctx, HttpStatus.CONFLICT, "/name: project " + project + " has a label \"" + label.name()
                    + "\" already; change its rule with PUT /admin/projects/" + project + "/labels/" + label.name());
            return;
        }
        ctx.status(HttpStatus.CREATED).json(view(label));
    }

    private void show(Context ctx) {
        String project = knownProject(ctx);
        if (project == null) {
            return;
        }
        LabelDefinition label = labels.get(key(project, ctx.pathParam("name")));
        if (label == null) {
            refuse(ctx, HttpStatus.NOT_FOUND, "no label \"" + ctx.pathParam("name") + "\" in project " + project);
            return;
        }
        ctx.json(view(label));
    }

    private void replace(Context ctx) {
        String project = knownProject(ctx);
        JsonNode body = body(ctx);
        if (project == null || body == null) {
            return;
        }
        String name = ctx.pathParam("name");
        if (!LabelDefinition.NAME.matcher(name).matches()) {
            refuse(ctx, HttpStatus.BAD_REQUEST, "/name: " + NAME_RULE);
            return;
        }
        JsonNode given = body.get("name");
        if (given != null && !(given.isTextual() && given.asText().equals(name))) {
            refuse(ctx, HttpStatus.BAD_REQUEST, "/name: the body names " + given + ", the path \"" + name
                    + "\"; a label cannot be renamed");
            return;
        }
        String rule = rule(ctx, body, "name", "rule");
        if (rule == null) {
            return;
        }
        LabelDefinition before = labels.get(key(project, name));
        LabelDefinition label = before == null
                ? new LabelDefinition(project, name, rule, clock.instant(), clock.instant())
                : before.withRule(rule, clock.instant());
        labels.set(key(project, name), label);
        ctx.status(before == null ? HttpStatus.CREATED : HttpStatus.OK).json(view(label));
    }

    private void delete(Context ctx) {
        String project = knownProject(ctx);
        if (project == null) {
            return;
        }
        String name = ctx.pathParam("name");
        if (labels.remove(key(project, name)) == null) {
            refuse(ctx, HttpStatus.NOT_FOUND, "no label \"" + name + "\" in project " + project);
            return;
        }
        ctx.json(Map.of("project", project, "name", name, "deleted", true));
    }

    private static final String NAME_RULE = "a label's name is 1 to 64 letters, digits, '_', '.' or '-', starting with "
            + "a letter or digit";

    /** The rule of {@code body}, checked and as JSON text; {@code null} once refused. */
    private String rule(Context ctx, JsonNode body, String... fields) {
        for (java.util.Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!List.of(fields).contains(field)) {
                refuse(ctx, HttpStatus.BAD_REQUEST, "/" + field + ": unknown field beside " + String.join(", ", fields));
                return null;
            }
        }
        JsonNode rule = body.get("rule");
        if (rule == null) {
            refuse(ctx, HttpStatus.BAD_REQUEST, "/rule: missing: the label's rule, such as "
                    + "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}");
            return null;
        }
        try {
            parser.parse(rule, "/rule");
        } catch (RuleException e) {
            refuse(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
            return null;
        }
        return rule.toString();
    }

    /** The request body as a JSON object; {@code null} once refused. */
    private static JsonNode body(Context ctx) {
        try {
            JsonNode body = JSON.readTree(ctx.body());
            if (body != null && body.isObject()) {
                return body;
            }
        } catch (Exception e) {
            // refused below
        }
        refuse(ctx, HttpStatus.BAD_REQUEST, "body must be a JSON object such as {\"name\": \"pro-users\", "
                + "\"rule\": {\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}}");
        return null;
    }

    /** The path's project if it exists and is not revoked; {@code null} once refused. */
    private String knownProject(Context ctx) {
        String project = ctx.pathParam("projectId");
        boolean known = projects.list().stream().anyMatch(p -> p.projectId().equals(project) && p.active());
        if (!known) {
            refuse(ctx, HttpStatus.NOT_FOUND, "no project " + project);
            return null;
        }
        return project;
    }

    private static void refuse(Context ctx, HttpStatus status, String message) {
        HttpAnswers.failure(ctx, status.getCode(), message);
    }

    private static String key(String project, String name) {
        return GridMaps.projectKey(project, name);
    }

    /** A definition as the API shows it: its rule as JSON. */
    private static ObjectNode view(LabelDefinition label) {
        ObjectNode view = JSON.createObjectNode().put("project", label.project()).put("name", label.name());
        try {
            view.set("rule", JSON.readTree(label.rule()));
        } catch (Exception e) {
            view.put("rule", label.rule());
        }
        return view.put("state", "active").put("createdAt", label.created().toString())
                .put("updatedAt", label.updated().toString());
    }
}
