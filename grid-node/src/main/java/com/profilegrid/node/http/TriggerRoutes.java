package com.profilegrid.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.profilegrid.model.GridMaps;
import com.profilegrid.node.labels.DefinitionSync;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.RuleException;
import com.profilegrid.pipelines.rules.Trigger;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import com.profilegrid.pipelines.rules.TriggerParser;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Clock;
import java.util.Comparator;
import java.util.Map;

/**
 * Triggers over the admin API: {@code POST /admin/projects/{projectId}/triggers} with {@code {"name": ..., "on": ...,
 * "webhook": {...}}} creates one (409 if the name is taken), {@code GET} lists them, {@code GET .../triggers/{name}}
 * shows one, {@code PUT .../triggers/{name}} creates or replaces it, {@code DELETE .../triggers/{name}} removes it.
 * A definition that is not valid, or that names a label the project does not have, is refused with 400 naming the
 * faulty part by its JSON path, and changes nothing. A webhook's secret is never shown back, only its last 4
 * characters. A change is answered once every member holds it ({@link DefinitionSync}).
 */
public final class TriggerRoutes {

    private static final String EXAMPLE = "{\"name\": \"welcome\", \"on\": {\"labelEntered\": \"trial-users\"}, "
            + "\"webhook\": {\"url\": \"https://example.com/hook\", \"secret\": \"<16 or more characters>\"}}";

    private final AdminBodies bodies;
    private final IMap<String, TriggerDefinition> triggers;
    private final IMap<String, LabelDefinition> labels;
    private final TriggerParser parser;
    private final Clock clock;
    private final DefinitionSync sync;

    public TriggerRoutes(ProjectStore projects, IMap<String, TriggerDefinition> triggers,
                         IMap<String, LabelDefinition> labels, TriggerParser parser, Clock clock, DefinitionSync sync) {
        this.bodies = new AdminBodies(projects);
        this.triggers = triggers;
        this.labels = labels;
        this.parser = parser;
        this.clock = clock;
        this.sync = sync;
    }

    public void register(RoutesConfig routes) {
        routes.get("/admin/projects/{projectId}/triggers", this::list);
        routes.post("/admin/projects/{projectId}/triggers", this::create);
        routes.get("/admin/projects/{projectId}/triggers/{name}", this::show);
        routes.put("/admin/projects/{projectId}/triggers/{name}", this::replace);
        routes.delete("/admin/projects/{projectId}/triggers/{name}", this::delete);
    }

    private void list(Context ctx) {
        String project = bodies.knownProject(ctx);
        if (project != null) {
            ctx.json(triggers.values(Predicates.equal("project", project)).stream()
                    .sorted(Comparator.comparing(TriggerDefinition::name)).map(TriggerRoutes::view).toList());
        }
    }

    private void create(Context ctx) {
        String project = bodies.knownProject(ctx);
        JsonNode body = project == null ? null : AdminBodies.body(ctx, EXAMPLE);
        if (body == null) {
            return;
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || !LabelDefinition.NAME.matcher(name.asText()).matches()) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/name: " + NAME_RULE);
            return;
        }
        TriggerDefinition trigger = checked(ctx, project, name.asText(), body, null);
        if (trigger == null) {
            return;
        }
        TriggerDefinition before = triggers.putIfAbsent(GridMaps.projectKey(project, trigger.name()), trigger);
        if (AdminBodies.anotherFound(before, trigger, TriggerDefinition::definition, TriggerDefinition::created)) {
            AdminBodies.refuse(ctx, HttpStatus.CONFLICT, "/name: project " + project + " has a trigger \"" + trigger.name()
                    + "\" already; replace it with PUT /admin/projects/" + project + "/triggers/" + trigger.name());
            return;
        }
        sync.toAllMembers(TriggerDefinition.MAP, GridMaps.projectKey(project, trigger.name()));
        ctx.status(HttpStatus.CREATED).json(view(trigger));
    }

    private void show(Context ctx) {
        String project = bodies.knownProject(ctx);
        if (project == null) {
            return;
        }
        TriggerDefinition trigger = triggers.get(GridMaps.projectKey(project, ctx.pathParam("name")));
        if (trigger == null) {
            AdminBodies.refuse(ctx, HttpStatus.NOT_FOUND, "no trigger \"" + ctx.pathParam("name") + "\" in project " + project);
            return;
        }
        ctx.json(view(trigger));
    }

    private void replace(Context ctx) {
        String project = bodies.knownProject(ctx);
        JsonNode body = project == null ? null : AdminBodies.body(ctx, EXAMPLE);
        if (body == null) {
            return;
        }
        String name = ctx.pathParam("name");
        if (!LabelDefinition.NAME.matcher(name).matches()) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/name: " + NAME_RULE);
            return;
        }
        JsonNode given = body.get("name");
        if (given != null && !(given.isTextual() && given.asText().equals(name))) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/name: the body names " + given + ", the path \"" + name
                    + "\"; a trigger cannot be renamed");
            return;
        }
        TriggerDefinition before = triggers.get(GridMaps.projectKey(project, name));
        TriggerDefinition trigger = checked(ctx, project, name, body, before);
        if (trigger == null) {
            return;
        }
        triggers.set(GridMaps.projectKey(project, name), trigger);
        sync.toAllMembers(TriggerDefinition.MAP, GridMaps.projectKey(project, name));
        ctx.status(before == null ? HttpStatus.CREATED : HttpStatus.OK).json(view(trigger));
    }

    private void delete(Context ctx) {
        String project = bodies.knownProject(ctx);
        if (project == null) {
            return;
        }
        String name = ctx.pathParam("name");
        if (triggers.remove(GridMaps.projectKey(project, name)) == null) {
            AdminBodies.refuse(ctx, HttpStatus.NOT_FOUND, "no trigger \"" + name + "\" in project " + project);
            return;
        }
        sync.toAllMembers(TriggerDefinition.MAP, GridMaps.projectKey(project, name));
        ctx.json(Map.of("project", project, "name", name, "deleted", true));
    }

    private static final String NAME_RULE = "a trigger's name is 1 to 64 letters, digits, '_', '.' or '-', starting "
            + "with a letter or digit";

    /** The definition {@code body} states, checked; {@code null} once refused. */
    private TriggerDefinition checked(Context ctx, String project, String name, JsonNode body, TriggerDefinition before) {
        Trigger trigger;
        try {
            trigger = parser.parse(project, name, body);
        } catch (RuleException e) {
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, e.getMessage());
            return null;
        }
        String label = trigger.on() instanceof Trigger.LabelEntered entered ? entered.label()
                : trigger.on() instanceof Trigger.LabelExited exited ? exited.label() : null;
        if (label != null && !labels.containsKey(GridMaps.projectKey(project, label))) {
            String field = trigger.on() instanceof Trigger.LabelEntered ? "labelEntered" : "labelExited";
            AdminBodies.refuse(ctx, HttpStatus.BAD_REQUEST, "/on/" + field + ": project " + project
                    + " has no label \"" + label + "\"; create the label first");
            return null;
        }
        ObjectNode definition = body.deepCopy();
        definition.remove("name");
        return before == null
                ? new TriggerDefinition(project, name, definition.toString(), clock.instant(), clock.instant())
                : new TriggerDefinition(project, name, definition.toString(), before.created(), clock.instant());
    }

    /** A trigger as the API shows it: its definition as JSON, the secret's last 4 characters only. */
    private static ObjectNode view(TriggerDefinition trigger) {
        ObjectNode view = AdminBodies.JSON.createObjectNode().put("project", trigger.project()).put("name", trigger.name());
        JsonNode definition = AdminBodies.parsed(trigger.definition());
        if (definition.isObject()) {
            ObjectNode shown = (ObjectNode) definition;
            if (shown.get("webhook") instanceof ObjectNode webhook && webhook.has("secret")) {
                String secret = webhook.get("secret").asText();
                webhook.put("secret", "..." + secret.substring(Math.max(0, secret.length() - 4)));
            }
            view.setAll(shown);
        }
        if (!view.has("onBackfill")) {
            view.put("onBackfill", false);
        }
        return view.put("createdAt", trigger.created().toString()).put("updatedAt", trigger.updated().toString());
    }
}
