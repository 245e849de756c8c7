package com.profilegrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands say where they act, and when they cannot get there, say in one line what they tried and what to do. */
class CommandsSayWhereTest {

    @TempDir
    Path dir;

    @Test
    void when_no_node_answers_then_the_command_names_the_address_it_tried_in_one_line() {
        int port = NodeFixture.freePort();
        CliRun run = CliRun.of("rebuild", "--url", "127.0.0.1:" + port, "--admin-token", "t");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("profilegrid: node http://127.0.0.1:" + port)
                .contains("no node answers at http://127.0.0.1:" + port + " (connection refused)")
                .contains("--url host:port").doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void when_a_project_command_runs_then_it_names_its_database_and_why_a_revoke_did_nothing() {
        CliRun run = CliRun.of("project", "revoke", "prj_nothere", "--data-dir", dir.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("profilegrid: database jdbc:h2:").contains(dir.toString())
                .contains("no active project prj_nothere in this database");
        assertThat(ProjectCommand.masked("jdbc:postgresql://db:5432/p?user=pg&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/p?user=pg&password=***&ssl=true");
    }

    @Test
    void when_project_help_is_shown_then_it_lists_the_database_flags_and_not_the_nodes_others() {
        CliRun help = CliRun.of("project", "create", "--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--db-url", "--data-dir", "--name").doesNotContain("--hazelcast-port")
                .doesNotContain("--http-port").doesNotContain("--visit-gap-minutes");
    }
}
