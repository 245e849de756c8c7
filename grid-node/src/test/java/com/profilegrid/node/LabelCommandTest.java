package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code profilegrid label ...} against a running node: what it prints, and a refusal's reason with exit code 1. */
class LabelCommandTest {

    @TempDir
    Path dir;

    @Test
    void when_labels_are_managed_from_the_command_line_then_it_prints_them_and_says_why_a_rule_is_refused()
            throws Exception {
        try (NodeFixture node = NodeFixture.start(dir.resolve("n"), TestDatabases.H2.fresh(dir),
                TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            String project = node.createProject("acme").projectId();
            String url = node.uri("").toString();
            Path ruleFile = Files.writeString(dir.resolve("rule.json"), "{\"visits\": {\"gte\": 3}, \"within\": \"P7D\"}");

            CliRun created = CliRun.of("label", "create", "--url", url, "--admin-token", "test-admin-token", "--project", project,
                    "--name", "regulars", "--rule-file", ruleFile.toString());
            assertThat(created.exit()).as(created.err()).isZero();
            assertThat(NodeFixture.json(created.out()).get("rule").get("within").asText()).isEqualTo("P7D");

            // --wait: until evaluated over every profile, with a progress bar on stderr
            CliRun waited = CliRun.of("label", "update", "--url", url, "--admin-token", "test-admin-token", "--project",
                    project, "--name", "regulars", "--rule-file", ruleFile.toString(), "--wait");
            assertThat(waited.exit()).as(waited.err()).isZero();
            assertThat(NodeFixture.json(waited.out()).get("state").asText()).isEqualTo("active");
            assertThat(waited.err()).contains("Backfill regulars");

            CliRun refused = CliRun.of("label", "update", "--url", url, "--admin-token", "test-admin-token", "--project", project,
                    "--name", "regulars", "--rule", "{\"visits\": {\"over\": 3}}");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("/rule/visits/over: unknown count operator \"over\"");

            CliRun listed = CliRun.of("label", "list", "--url", url, "--admin-token", "test-admin-token", "--project", project);
            JsonNode labels = NodeFixture.json(listed.out());
            assertThat(labels).hasSize(1);
            assertThat(labels.get(0).get("rule").get("visits").get("gte").asInt()).isEqualTo(3);

            assertThat(CliRun.of("label", "delete", "--url", url, "--admin-token", "test-admin-token", "--project", project,
                    "regulars").exit()).isZero();
            CliRun gone = CliRun.of("label", "show", "--url", url, "--admin-token", "test-admin-token", "--project", project,
                    "regulars");
            assertThat(gone.exit()).isEqualTo(1);
            assertThat(gone.err()).contains("no label \"regulars\"");
        }
    }

    @Test
    void when_triggers_safe_mode_and_firings_are_managed_from_the_command_line_then_each_says_what_it_did()
            throws Exception {
        try (NodeFixture node = NodeFixture.start(dir.resolve("n"), TestDatabases.H2.fresh(dir),
                TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            com.profilegrid.node.project.ProjectStore.Created created = node.createProject("acme");
            String project = created.projectId();
            String url = node.uri("").toString();
            String[] admin = {"--url", url, "--admin-token", "test-admin-token"};
            assertThat(cli(admin, "label", "create", "--project", project, "--name", "pro", "--rule",
                    "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}").exit()).isZero();

            // a receiver that is not there: the firing stays pending, retried, with the reason
            String hook = "http://127.0.0.1:" + NodeFixture.freePort() + "/hook";
            CliRun refused = cli(admin, "trigger", "create", "--project", project, "--name", "welcome", "--definition",
                    "{\"on\": {\"labelEntered\": \"trial\"}, \"webhook\": {\"url\": \"" + hook
                            + "\", \"secret\": \"sixteen-characters\"}}");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("/on/labelEntered: project " + project + " has no label \"trial\"");
            CliRun trigger = cli(admin, "trigger", "create", "--project", project, "--name", "welcome", "--definition",
                    "{\"on\": {\"labelEntered\": \"pro\"}, \"webhook\": {\"url\": \"" + hook
                            + "\", \"secret\": \"sixteen-characters\"}}");
            assertThat(trigger.exit()).as(trigger.err()).isZero();
            assertThat(NodeFixture.json(trigger.out()).at("/webhook/secret").asText()).isEqualTo("...ters");

            node.postLogged("/v1/identify", created.writeKey(), "{\"userId\":\"u1\",\"messageId\":\"m1\","
                    + "\"traits\":{\"plan\":\"pro\"}}");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode firings = NodeFixture.json(cli(admin, "firings", "list", "--project", project, "--trigger",
                        "welcome").out());
                assertThat(firings).hasSize(1);
                assertThat(firings.get(0).path("state").asText()).isEqualTo("pending");
                assertThat(firings.get(0).path("lastError").asText()).contains("cannot reach " + hook);
            });
            String firingId = NodeFixture.json(cli(admin, "firings", "list", "--project", project).out()).get(0)
                    .get("firingId").asText();
            CliRun notDead = cli(admin, "firings", "retry", "--project", project, firingId);
            assertThat(notDead.exit()).isEqualTo(1);
            assertThat(notDead.err()).contains("no dead or discarded firing " + firingId);

            // safe mode defers what waits; leaving it by discarding records why
            CliRun on = cli(admin, "safe-mode", "on", "--reason", "receiver down");
            assertThat(NodeFixture.json(on.out()).get("deferred").asInt()).isEqualTo(1);
            assertThat(NodeFixture.json(cli(admin, "safe-mode", "status").out()).get("reason").asText())
                    .isEqualTo("receiver down");
            CliRun off = cli(admin, "safe-mode", "off", "--deferred", "discard");
            assertThat(off.exit()).as(off.err()).isZero();
            assertThat(NodeFixture.json(off.out()).get("discarded").asInt()).isEqualTo(1);
            JsonNode discarded = NodeFixture.json(cli(admin, "firings", "list", "--project", project, "--state",
                    "discarded").out()).get(0);
            assertThat(discarded.get("reason").asText()).contains("receiver down");

            assertThat(cli(admin, "trigger", "delete", "--project", project, "welcome").exit()).isZero();
            assertThat(NodeFixture.json(cli(admin, "trigger", "list", "--project", project).out())).isEmpty();
        }
    }

    /** {@code args} (a command and its subcommand first) with the node's options after the subcommand. */
    private static CliRun cli(String[] admin, String... args) {
        String[] all = new String[args.length + admin.length];
        int command = 2;
        System.arraycopy(args, 0, all, 0, command);
        System.arraycopy(admin, 0, all, command, admin.length);
        System.arraycopy(args, command, all, command + admin.length, args.length - command);
        return CliRun.of(all);
    }
}
