package com.profilegrid.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code profilegrid safe-mode on|off|status}: the cluster's safe-mode switch, through a running node. In safe mode
 * tracking, profiles and labels go on, and firings are deferred (kept, not delivered); leaving it decides for them.
 */
@Command(name = "safe-mode", mixinStandardHelpOptions = true,
        description = "Turn safe mode on (firings are deferred, not delivered), off (deciding for the deferred "
                + "firings), or show it.",
        subcommands = {SafeModeCommand.On.class, SafeModeCommand.Off.class, SafeModeCommand.Status.class})
final class SafeModeCommand {

    private SafeModeCommand() {
    }

    @Command(name = "on", mixinStandardHelpOptions = true, description = "Turn safe mode on.")
    static final class On implements Callable<Integer> {
        @Mixin
        AdminConnection node;
        @Option(names = "--reason", required = true, description = "Why, for whoever finds it on.")
        String reason;

        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("POST", "/admin/safe-mode", "{\"enabled\":true,\"reason\":"
                    + ProjectCommand.JSON.writeValueAsString(reason) + "}"));
        }
    }

    @Command(name = "off", mixinStandardHelpOptions = true, description = "Leave safe mode, delivering or discarding "
            + "the deferred firings.")
    static final class Off implements Callable<Integer> {
        enum Deferred { deliver, discard }

        @Mixin
        AdminConnection node;
        @Option(names = "--deferred", required = true, description = "What becomes of the deferred firings: "
                + "${COMPLETION-CANDIDATES}.")
        Deferred deferred;
        @Option(names = "--older-than", description = "Discard the deferred firings fired longer ago than this "
                + "(an ISO-8601 duration such as PT6H) and deliver the rest.")
        Duration olderThan;

        @Override
        public Integer call() throws Exception {
            String body = "{\"deferred\":\"" + deferred + "\"" + (olderThan == null ? "" : ",\"olderThan\":\""
                    + olderThan + "\"") + "}";
            return LabelCommand.printed(node.exchange("POST", "/admin/safe-mode/exit", body));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show safe mode: on or off, since when, "
            + "why, and how many firings are deferred.")
    static final class Status implements Callable<Integer> {
        @Mixin
        AdminConnection node;

        @Override
        public Integer call() throws Exception {
            return LabelCommand.printed(node.exchange("GET", "/admin/safe-mode", null));
        }
    }
}
