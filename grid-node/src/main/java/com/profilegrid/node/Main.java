package com.profilegrid.node;

import com.profilegrid.node.store.DatabaseUnreachableException;
import com.profilegrid.node.support.Causes;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code profilegrid} command line. Only wires: each subcommand lives in its own class. */
@Command(name = "profilegrid", mixinStandardHelpOptions = true, version = "ProfileGrid 0.1.0",
        description = "Real-time visitor profiles on a Hazelcast cluster.",
        subcommands = {NodeCommand.class, ProjectCommand.class, RebuildCommand.class, DeadLettersCommand.class,
                LabelCommand.class, TriggerCommand.class, FiringsCommand.class, SafeModeCommand.class, StatusCommand.class,
                ReconcileCommand.class})
public final class Main {

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, answering a setting it cannot use with its reason and exit code 2, and a database that did not
     * answer within the start's wait with the reason and exit code 1, not a stack trace.
     */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                command.getErr().println("profilegrid: " + e.getMessage());
                return 2;
            }
            var unreachable = Causes.of(e).stream().filter(DatabaseUnreachableException.class::isInstance).findFirst();
            if (unreachable.isPresent()) {
                command.getErr().println("profilegrid: " + unreachable.get().getMessage());
                return 1;
            }
            throw e;
        });
    }
}
