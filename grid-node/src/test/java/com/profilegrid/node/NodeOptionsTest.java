package com.profilegrid.node;

import com.profilegrid.pipelines.fold.FoldSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's flags become its settings; a value it cannot use is refused with a clear message. */
class NodeOptionsTest {

    @Test
    void when_fold_flags_are_given_then_the_node_folds_with_them_and_defaults_otherwise() {
        NodeCommand node = new NodeCommand();
        new CommandLine(node).parseArgs("--visit-gap-minutes", "45", "--recent-events", "5", "--visit-retention-days", "7");
        assertThat(node.settings().fold()).isEqualTo(new FoldSettings(Duration.ofMinutes(45), 5)
                .withVisitRetention(Duration.ofDays(7)));

        NodeCommand plain = new NodeCommand();
        new CommandLine(plain).parseArgs();
        assertThat(plain.settings().fold()).isEqualTo(FoldSettings.DEFAULTS);
    }

    @Test
    void when_the_visit_gap_is_zero_then_the_node_does_not_start_and_says_why() {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("node", "--visit-gap-minutes", "0");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--visit-gap-minutes must be at least 1");
    }

    @Test
    void when_the_visit_retention_is_zero_then_the_node_does_not_start_and_says_why() {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("node", "--visit-retention-days", "0");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--visit-retention-days must be at least 1");
    }

    @Test
    void when_a_log_wait_is_given_then_requests_wait_that_long_for_the_log_and_zero_is_refused() {
        NodeCommand node = new NodeCommand();
        new CommandLine(node).parseArgs("--log-wait-ms", "50");
        assertThat(node.settings().ingest().logWait()).isEqualTo(Duration.ofMillis(50));
        NodeCommand plain = new NodeCommand();
        new CommandLine(plain).parseArgs();
        assertThat(plain.settings().ingest().logWait()).isEqualTo(IngestSettings.DEFAULTS.logWait());

        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("node", "--log-wait-ms", "0");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--log-wait-ms must be between 1 and 60000, not 0");
    }

    @Test
    void when_a_log_level_is_not_a_level_then_the_node_does_not_start_and_lists_the_levels() {
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("node", "--hazelcast-log-level", "loud");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--hazelcast-log-level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, "
                + "not 'loud'");
    }

    @Test
    void when_log_levels_are_given_then_the_nodes_and_hazelcasts_loggers_take_them() {
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ROOT");
        var hazelcast = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("com.hazelcast");
        var quieted = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LogLevels.QUIETED.get(2));
        var rootBefore = root.getLevel();
        var hazelcastBefore = hazelcast.getLevel();
        var quietedBefore = quieted.getLevel();
        try {
            quieted.setLevel(ch.qos.logback.classic.Level.ERROR); // as config/logback.xml sets it
            LogLevels.apply(LogLevels.checked("--log-level", "debug"), LogLevels.checked("--hazelcast-log-level", "info"));
            assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
            assertThat(hazelcast.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
            assertThat(quieted.getEffectiveLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
            // DEBUG asks for everything: the quieted loggers follow Hazelcast's level
            LogLevels.apply("INFO", LogLevels.checked("--hazelcast-log-level", "debug"));
            assertThat(quieted.getEffectiveLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
        } finally {
            root.setLevel(rootBefore);
            hazelcast.setLevel(hazelcastBefore);
            quieted.setLevel(quietedBefore);
        }
    }

    @Test
    void when_node_help_is_shown_then_every_flag_with_a_variable_names_it() {
        int checked = 0;
        for (Class<?> type : List.of(NodeCommand.class, NodeOptions.class, DatabaseOptions.class)) {
            for (java.lang.reflect.Field field : type.getDeclaredFields()) {
                CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
                if (option != null && option.defaultValue().startsWith("${env:")) {
                    checked++;
                    String variable = option.defaultValue().substring(6).split("[:}]", 2)[0];
                    assertThat(String.join(" ", option.description())).as(option.names()[0]).contains("env " + variable);
                }
            }
        }
        assertThat(checked).as("flags with a variable").isGreaterThan(15);
    }
}
