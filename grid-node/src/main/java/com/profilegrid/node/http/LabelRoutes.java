package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.profilegrid.model.GridMaps;
import com.profilegrid.node.labels.DefinitionSync;
import com.profilegrid.node.labels.LabelBackfills;
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
 * ({@code /rule/all/1/op: unknown operator "equals"}), and changes nothing. A change is answered once every member
 * holds it ({@link DefinitionSync}).
 */
public final class LabelRoutes {

    private final AdminBodies bodies;
    private final LabelBackfills backfills;
    private final DefinitionSync sync;
    private final IMap<String, LabelDefinition> labels;
    private final RuleParser parser;
    private final Clock clock;

    public LabelRoutes(ProjectStore projects, IMap<String, LabelDefinition> labels, RuleParser parser, Clock clock,
                       LabelBackfills backfills, DefinitionSync sync) {
        this.bodies = new AdminBodies(projects);
        this.backfills = backfills;
        this.sync = sync;
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
                .sorted(Comparator.comparing(LabelDefinition::name)).map(this::view).toList();
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
        LabelDefinition before = labels.putIfAbsent(key(project, label.name()), label);
        if (AdminBodies.anotherFound(before, label, LabelDefinition::rule, LabelDefinition::created)) {
            refuse(ctx, HttpStatus.CONFLICT, "/name: project " + project + " has a label \"" + label.name()
                    + "\" already; change its rule with PUT /admin/projects/" + project + "/labels/" + label.name());
            return;
        }
        sync.toAllMembers(LabelDefinition.MAP, key(project, label.name()));
        backfills.start(label);
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
        sync.toAllMembers(LabelDefinition.MAP, key(project, name));
        if (before == null || !before.rule().equals(label.rule())) {
            backfills.start(label);
        }
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
        sync.toAllMembers(LabelDefinition.MAP, key(project, name));
        ctx.json(Map.of("project", project, "name", name, "deleted", true));
    }

    private static final String NAME_RULE = "a label's name is 1 to 64 letters, digits, '_', '.' or '-', starting with "
            + "a letter or digit";

    /** The rule of {@code body}, checked and as JSON text; {@code null} once refused. */
    private String rule(Context ctx, JsonNode body, String... fields) {
        if (!AdminBodies.onlyFields(ctx, body, fields)) {
            return null;
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

    private static JsonNode body(Context ctx) {
        return AdminBodies.body(ctx, "{\"name\": \"pro-users\", \"rule\": {\"property\": \"plan\", \"op\": \"eq\", "
                + "\"value\": \"pro\"}}");
    }

    private String knownProject(Context ctx) {
        return bodies.knownProject(ctx);
    }

    private static void refuse(Context ctx, HttpStatus status, String message) {
        AdminBodies.refuse(ctx, status, message);
    }

    private static String key(String project, String name) {
        return GridMaps.projectKey(project, name);
    }

    /**
     * A definition as the API shows it: its rule as JSON, and its state: {@code active}, or {@code queued} then, while its rule is
     * evaluated over the existing profiles {@code backfilling} with {@code progress} (profiles done of total).
     */
    private ObjectNode view(LabelDefinition label) {
        ObjectNode view = AdminBodies.JSON.createObjectNode().put("project", label.project()).put("name", label.name());
        view.set("rule", AdminBodies.parsed(label.rule()));
        ObjectNode backfill = backfills.progressOf(label);
        String state = backfill == null || backfill.path("state").asText().equals("done") ? "active"
                : backfill.path("state").asText();
        view.put("state", state);
        if (backfill != null) {
            view.set("backfill", backfill);
        }
        return view.put("createdAt", label.created().toString())
                .put("updatedAt", label.updated().toString());
    }
}
