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
}
