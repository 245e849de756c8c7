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

    static <T> T withStore(DatabaseOptions options, java.util.function.Function<ProjectStore, T> work) {
        NodeSettings settings = options.settings();
        Database.Settings db = MemberConfig.databaseSettings(MemberConfig.load(settings));
        // say where this command acts (stdout is its JSON): a project made in another database than the nodes' is
        // refused by them as an unknown key
        System.err.println("profilegrid: database " + masked(db.url()) + (db.schema() == null ? "" : ", schema "
                + db.schema()) + " (set --db-url or PROFILEGRID_DB_URL as the nodes have it)");
        try (Database database = Database.open(db)) {
            return work.apply(new ProjectStore(database.dataSource(), Clock.systemUTC()));
        }
    }

    /** A JDBC URL without the password it may carry. */
    static String masked(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    static void print(Object value) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        out.println(JSON.writeValueAsString(value));
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a project; prints its id, write key and read key as JSON (the keys are shown only once).")
    static final class Create implements Callable<Integer> {
        @Mixin
        DatabaseOptions options;

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
        DatabaseOptions options;

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
        DatabaseOptions options;

        @Parameters(paramLabel = "PROJECT_ID", description = "The project to revoke.")
        String projectId;

        @Override
        public Integer call() throws Exception {
            boolean revoked = withStore(options, store -> store.revoke(projectId));
            print(java.util.Map.of("projectId", projectId, "revoked", revoked));
            if (!revoked) {
                System.err.println("profilegrid: no active project " + projectId + " in this database "
                        + "('profilegrid project list' shows the projects there)");
            }
            return revoked ? 0 : 1;
        }
    }
}
