package com.profilegrid.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code profilegrid firings list|retry}: a project's firings and their deliveries, through a running node. */
@Command(name = "firings", mixinStandardHelpOptions = true,
        description = "List a project's firings (with attempts and last error), or send a dead one again.",
        subcommands = {FiringsCommand.ListFirings.class, FiringsCommand.Retry.class})
final class FiringsCommand {

    private FiringsCommand() {
    }

    private static String firings(String project) {
        return "/admin/projects/" + URLEncoder.encode(project, StandardCharsets.UTF_8) + "/firings";
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List firings as JSON, newest first.")
    static final class ListFirings implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Option(names = "--trigger", description = "Only this trigger's.")
        String trigger;
        @Option(names = "--state", description = "Only those in this state: pending, delivered, deferred, dead, discarded.")
        String state;
        @Option(names = "--limit", defaultValue = "100", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() throws Exception {
            StringBuilder query = new StringBuilder("?limit=" + limit);
            if (trigger != null) {
                query.append("&trigger=").append(URLEncoder.encode(trigger, StandardCharsets.UTF_8));
            }
            if (state != null) {
                query.append("&state=").append(URLEncoder.encode(state, StandardCharsets.UTF_8));
            }
            return LabelCommand.printed(node.exchange("GET", firings(project) + query, null));
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Deliver a dead or discarded firing again.")
    static final class Retry implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--project", required = true, description = "The project.")
        String project;
        @Parameters(paramLabel = "FIRING_ID", description = "The firing's id.")
        String firingId;

        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("POST", firings(project) + "/"
                    + URLEncoder.encode(firingId, StandardCharsets.UTF_8) + "/retry", null));
        }
    }
}
