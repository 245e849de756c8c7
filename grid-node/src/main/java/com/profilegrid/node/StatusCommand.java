package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid status}: the cluster at a glance, through any node's admin API ({@code GET /admin/status}): a
 * table for people, {@code --json} for scripts. Exit code 0 when the cluster is safe (every partition with its
 * backups, none migrating), {@link #NOT_SAFE} when it is not, 1 when the node refused or could not be reached.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the cluster: members (spool, write-behind, heap, profile state), partition safety and "
                + "migrations in flight, jobs and their lag, dead letters, firings, safe mode. Exits 3 when the "
                + "cluster is not safe.")
final class StatusCommand implements Callable<Integer> {

    /** The exit code when the cluster is not safe. */
    static final int NOT_SAFE = 3;

    @Mixin
    AdminConnection node;

    @Option(names = "--json", description = "Print the status as JSON (keys: members, clusterSafe, clusterState, "
            + "migrationsInFlight, jobs, lag, spool, writeBehind, deadLetters, profiles, firings, safeMode).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AdminConnection.Answer answer = node.exchange("GET", "/admin/status", null);
        if (!answer.ok()) {
            System.err.println("profilegrid: " + answer.message());
            return 1;
        }
        if (json) {
            ProjectCommand.print(answer.body());
        } else {
            table(answer.body(), System.out);
        }
        return answer.body().path("clusterSafe").asBoolean(false) ? 0 : NOT_SAFE;
    }

    static void table(JsonNode status, PrintStream out) {
        out.printf("Cluster '%s': %s, %s, %d partition migration(s) in flight%n", status.path("cluster").asText(),
                status.path("clusterState").asText(), status.path("clusterSafe").asBoolean() ? "safe"
                        : "NOT SAFE (partitions short of a backup or migrating)", status.path("migrationsInFlight").asInt());
        out.println();
        String members = "%-24s %-22s %10s %8s %12s %22s%n";
        out.printf(members, "MEMBER", "HTTP", "SPOOL", "WRITE-BEHIND", "HEAP AFTER GC", "PROFILE STATE / BUDGET");
        for (JsonNode member : status.path("members")) {
            String address = member.path("address").asText() + (member.path("local").asBoolean() ? " *" : "");
            if (!member.path("answering").asBoolean()) {
                out.printf("%-24s %s%n", address, "(no answer: " + member.path("error").asText("stalled or stopping") + ")");
                continue;
            }
            out.printf(members, address, member.path("http").asText(), bytes(member.path("spoolBytes").asLong()),
                    member.path("writeBehindQueued").asLong(), bytes(member.path("heapAfterGcBytes").asLong()) + " / "
                            + bytes(member.path("heapMaxBytes").asLong()),
                    bytes(member.path("profileStateHeapBytes").asLong()) + " / "
                            + bytes(member.path("profileStateBudgetBytes").asLong()));
        }
        out.println();
        String jobs = "%-36s %-12s %14s %18s%n";
        out.printf(jobs, "JOB", "STATUS", "LAG (events)", "OLDEST UNAPPLIED");
        for (JsonNode job : status.path("jobs")) {
            JsonNode lag = status.path("lag").path(job.path("name").asText());
            out.printf(jobs, job.path("name").asText(), job.path("status").asText(),
                    lag.isMissingNode() ? "-" : Long.toString(lag.path("events").asLong()),
                    lag.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.1f s", lag.path("oldestAgeSeconds").asDouble()));
        }
        status.path("lag").fieldNames().forEachRemaining(name -> {
            boolean listed = false;
            for (JsonNode job : status.path("jobs")) {
                listed |= job.path("name").asText().equals(name);
            }
            if (!listed) {
                out.printf(jobs, name, "NOT RUNNING", status.path("lag").path(name).path("events").asLong(), "-");
            }
        });
        out.println();
        JsonNode profiles = status.path("profiles");
        out.printf("Profiles: %d in memory, %d on the database only; write-behind backlog %d; dead letters %d%n",
                profiles.path("inMemory").asLong(), profiles.path("onDatabaseOnly").asLong(),
                status.path("writeBehind").asLong(), status.path("deadLetters").asLong());
        StringBuilder firings = new StringBuilder();
        status.path("firings").fields().forEachRemaining(state -> firings.append(firings.length() == 0 ? "" : ", ")
                .append(state.getKey()).append(' ').append(state.getValue().asLong()));
        out.println("Firings: " + firings);
        JsonNode safeMode = status.path("safeMode");
        out.println("Safe mode: " + (safeMode.path("enabled").asBoolean()
                ? "ON since " + safeMode.path("since").asText() + " (" + safeMode.path("reason").asText() + "), "
                + safeMode.path("deferred").asLong() + " firing(s) deferred"
                : "off"));
        if (status.has("figuresError")) {
            out.println("Note: " + status.path("figuresError").asText());
        }
    }

    private static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
