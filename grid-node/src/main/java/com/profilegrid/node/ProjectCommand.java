package com.profilegrid.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;

/** {@code profilegrid project create|list|revoke}: projects and their keys, straight in the node database. */
@Command(name = "project", mixinStandardHelpOptions = true,
        description = "Create, list and revoke projects and their write/read keys.",
        subcommands = {ProjectCommand.Create.class, ProjectCommand.ListProjects.class, ProjectCommand.Revoke.class})
final class ProjectCommand {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private ProjectCommand() {
    }

    static <T> T withStore(NodeOptions options, java.util.function.Function<ProjectStore, T> work) {
        NodeSettings settings = options.settings(false);
        try (Database database = Database.open(MemberConfig.databaseSettings(MemberConfig.load(settings)))) {
            return work.apply(new ProjectStore(database.dataSource(), Clock.systemUTC()));
        }
    }

    static void print(Object value) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        out.println(JSON.writeValueAsString(value));
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a project; prints its id, write key and read key as JSON (the keys are shown only once).")
    static final class Create implements Callable<Integer> {
        @Mixin
        NodeOptions options;

        @Option(names = "--name", required = true, description = "Project name.")
        String name;

        @Override
        public Integer call() throws Exception {
            print(withStore(options, store -> store.create(name)));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List projects as JSON (never their keys).")
    static final class ListProjects implements Callable<Integer> {
        @Mixin
        NodeOptions options;

        @Override
        public Integer call() throws Exception {
            print(withStore(options, ProjectStore::list));
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a project and all its keys; nodes refuse them within seconds.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        NodeOptions options;

        @Parameters(paramLabel = "PROJECT_ID", description = "The project to revoke.")
        String projectId;

        @Override
        public Integer call() throws Exception {
            boolean revoked = withStore(options, store -> store.revoke(projectId));
            print(java.util.Map.of("projectId", projectId, "revoked", revoked));
            return revoked ? 0 : 1;
        }
    }
}
