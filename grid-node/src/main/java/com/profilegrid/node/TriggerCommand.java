package com.profilegrid.node;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid trigger create|update|list|show|delete}: a project's triggers, through a running node's admin API.
 * A definition the node refuses is printed with the node's reason (the JSON path of the faulty part), exit code 1.
 */
@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = "Create, change, list, show and delete a project's triggers (webhooks fired by label changes and "
                + "events) through a running node.",
        subcommands = {TriggerCommand.Create.class, TriggerCommand.Update.class, TriggerCommand.ListTriggers.class,
                TriggerCommand.Show.class, TriggerCommand.Delete.class})
final class TriggerCommand {

    private TriggerCommand() {
    }

    /** The definition, given inline or in a file. */
    static final class DefinitionSource {
        @Option(names = "--definition", required = true, description = "The trigger as JSON, e.g. '{\"on\": "
                + "{\"labelEntered\": \"trial-users\"}, \"webhook\": {\"url\": \"https://example.com/hook\", "
                + "\"secret\": \"...\"}}'.")
        String inline;

        @Option(names = "--definition-file", required = true, description = "A file holding the trigger as JSON.")
        Path file;

        String text() throws java.io.IOException {
            return inline != null ? inline : Files.readString(file);
        }
    }

    static String triggers(String project) {
        return "/admin/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/triggers";
    }

    static String trigger(String project, String name) {
        return triggers(project) + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** What create and update share: the node, the trigger and its definition. */
    abstract static class WithDefinition implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Option(names = "--name", required = true, description = "The trigger's name.")
        String name;
        @ArgGroup(multiplicity = "1")
        DefinitionSource definition;

        /** The definition as a JSON object with the name in it. */
        String body() throws Exception {
            com.fasterxml.jackson.databind.JsonNode given;
            try {
                given = ProjectCommand.JSON.readTree(definition.text());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("the definition is not JSON: " + e.getOriginalMessage());
            }
            if (!given.isObject()) {
                throw new IllegalArgumentException("the definition must be a JSON object with \"on\" and \"webhook\"");
            }
            ((com.fasterxml.jackson.databind.node.ObjectNode) given).put("name", name);
            return given.toString();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a trigger; refused if the name is taken.")
    static final class Create extends WithDefinition {
        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("POST", triggers(project), body()));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Replace a trigger (creating it if new).")
    static final class Update extends WithDefinition {
        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("PUT", trigger(project, name), body()));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a project's triggers as JSON.")
    static final class ListTriggers implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;

        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("GET", triggers(project), null));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one trigger as JSON.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Parameters(paramLabel = "NAME", description = "The trigger's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("GET", trigger(project, name), null));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a trigger (its pending firings "
            + "end dead, saying so).")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Parameters(paramLabel = "NAME", description = "The trigger's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("DELETE", trigger(project, name), null));
        }
    }
}
