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
 * {@code profilegrid label create|update|list|show|delete}: a project's labels (segments), through a running node's admin
 * API. A definition the node refuses is printed with the node's reason (the JSON path of the faulty part), exit code 1.
 */
@Command(name = "label", mixinStandardHelpOptions = true,
        description = "Create, change, list, show and delete a project's labels (segments) through a running node.",
        subcommands = {LabelCommand.Create.class, LabelCommand.Update.class, LabelCommand.ListLabels.class,
                LabelCommand.Show.class, LabelCommand.Delete.class})
final class LabelCommand {

    private LabelCommand() {
    }

    /** The rule, given inline or in a file. */
    static final class RuleSource {
        @Option(names = "--rule", required = true,
                description = "The rule as JSON, e.g. '{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}'.")
        String inline;

        @Option(names = "--rule-file", required = true, description = "A file holding the rule as JSON.")
        Path file;

        String text() throws java.io.IOException {
            return inline != null ? inline : Files.readString(file);
        }
    }

    static int printed(AdminConnection.Answer answer) throws Exception {
        if (!answer.ok()) {
            System.err.println("profilegrid: " + answer.message());
            return 1;
        }
        ProjectCommand.print(answer.body());
        return 0;
    }

    static String labels(String project) {
        return "/admin/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/labels";
    }

    static String label(String project, String name) {
        return labels(project) + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** What create and update share: the node, the label and its rule. */
    abstract static class WithRule implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Option(names = "--name", required = true, description = "The label's name.")
        String name;
        @ArgGroup(multiplicity = "1")
        RuleSource rule;
        @Option(names = "--wait", description = "Wait until the label has been evaluated over every existing "
                + "profile, with a progress bar, then print it.")
        boolean wait;

        /** The answer to a create or update, after waiting for its backfill when {@code --wait} asks. */
        int waited(AdminConnection node, String project, String name, AdminConnection.Answer answer) throws Exception {
            if (!wait || !answer.ok()) {
                return printed(answer);
            }
            AdminConnection.Answer now = answer;
            try (CliProgress progress = CliProgress.of("Backfill " + name, " profiles")) {
                while (now.ok() && !now.body().path("state").asText().equals("active")) {
                    com.fasterxml.jackson.databind.JsonNode backfill = now.body().path("backfill");
                    progress.update(backfill.path("done").asLong(), backfill.path("total").asLong(-1),
                            now.body().path("state").asText());
                    Thread.sleep(500);
                    now = node.exchange("GET", label(project, name), null);
                }
                com.fasterxml.jackson.databind.JsonNode backfill = now.body().path("backfill");
                progress.update(backfill.path("done").asLong(), backfill.path("total").asLong(-1), "active");
            }
            return printed(now);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a label; refused if the name is taken.")
    static final class Create extends WithRule {
        @Override
        public Integer call() throws Exception {
            String body = "{\"name\":" + ProjectCommand.JSON.writeValueAsString(name) + ",\"rule\":" + rule.text() + "}";
            return waited(node, project, name, node.exchange("POST", labels(project), body));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Set a label's rule (creating it if new).")
    static final class Update extends WithRule {
        @Override
        public Integer call() throws Exception {
            return waited(node, project, name, node.exchange("PUT", label(project, name), "{\"rule\":" + rule.text() + "}"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a project's labels as JSON.")
    static final class ListLabels implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;

        @Override
        public Integer call() throws Exception {
            return printed(node.exchange("GET", labels(project), null));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one label as JSON.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Parameters(paramLabel = "NAME", description = "The label's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            return printed(node.exchange("GET", label(project, name), null));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a label.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Parameters(paramLabel = "NAME", description = "The label's name.")
        String name;

        @Override
        public Integer call() throws Exception {
            return printed(node.exchange("DELETE", label(project, name), null));
        }
    }
}
