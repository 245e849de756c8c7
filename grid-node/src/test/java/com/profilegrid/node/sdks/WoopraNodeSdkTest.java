package com.profilegrid.node.sdks;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Woopra's own Node.js SDK ({@code woopra} on npm, installed by the test, driven by {@code woopra-sdk/drive.js}),
 * given the project's write key as its project key, against a real node: every call is answered 2xx; the visitor is
 * found by its {@code cv_id}, its e-mail address and its cookie; a ping keeps the visit open and counts no event; a
 * visitor named by e-mail alone gets a profile; and a tracker given the site's domain, as Woopra's documentation
 * shows, is answered 401 with what to give instead, and nothing enters the log.
 */
class WoopraNodeSdkTest {

    static final String WOOPRA_VERSION = "1.0.2";

    @TempDir
    Path dir;

    @Test
    void when_woopras_node_sdk_tracks_then_every_call_lands_and_the_visitor_is_found_by_each_of_its_ids() throws Exception {
        Path sdk = NpmPackages.install("woopra", WOOPRA_VERSION);
        Instant t0 = Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.POSTGRESQL.fresh(dir),
                TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("woopra-sdk");

            JsonNode results = NpmPackages.drive("/woopra-sdk/drive.js", sdk, node, Map.of(
                    "WOOPRA_KEY", project.writeKey(), "T0", Long.toString(t0.toEpochMilli())));

            for (String call : List.of("adaPush", "adaSignup", "adaPing", "adaUpgrade", "bobSignup", "bobUpgrade",
                    "carolView")) {
                assertThat(results.path(call).path("status").asInt()).as(call + ": " + results.path(call))
                        .isBetween(200, 299);
            }

            // Ada, by her own id, her e-mail address and her cookie: one profile
            JsonNode ada = SdkProfiles.sameProfile(node, project, "u-ada", List.of("ada@example.com", "ck-ada"), 3);
            assertThat(ada.path("identities").path("userId").asText()).isEqualTo("u-ada");
            assertThat(ada.path("properties").path("name").asText()).isEqualTo("Ada Lovelace");
            // the ping counts as no event: two actions and the identify, nothing else
            assertThat(ada.path("eventCounts")).hasSize(3);
            assertThat(ada.path("eventCounts").path("signup").asLong()).isEqualTo(1);
            assertThat(ada.path("eventCounts").path("upgrade").asLong()).isEqualTo(1);
            assertThat(ada.path("eventCounts").path("$identify").asLong()).isEqualTo(1);
            assertThat(ada.path("recentEvents").findValuesAsText("type")).doesNotContain("ping");
            // ... and keeps the visit open: signup and upgrade, 45 minutes apart, are one visit
            assertThat(ada.path("visits").toString()).contains("{\"start\":\"" + t0 + "\",\"end\":\""
                    + t0.plus(Duration.ofMinutes(45)) + "\"}");

            // Bob, the same two actions without a ping between them: two visits
            JsonNode bob = SdkProfiles.sameProfile(node, project, "bob@example.com", List.of("ck-bob"), 2);
            assertThat(bob.path("visitCount").asInt()).isEqualTo(2);
            assertThat(bob.path("visits").toString()).contains("{\"start\":\"" + t0 + "\",\"end\":\"" + t0 + "\"}");

            // Carol: named by her e-mail address alone
            JsonNode carol = SdkProfiles.profile(node, project, "carol@example.com", 1);
            assertThat(carol.path("eventCounts").path("view").asLong()).isEqualTo(1);
            assertThat(carol.path("properties").path("company").asText()).isEqualTo("Analytical Engines");

            // the site's domain as the project key: refused, with what to do, and nothing logged
            JsonNode domain = results.path("domainKey");
            assertThat(domain.path("status").asInt()).isEqualTo(401);
            assertThat(domain.path("body").asText()).contains("'website' is 'example.com', which is not a "
                    + "ProfileGrid write key", "pgw_");
            assertThat(node.logRecords()).noneMatch(record -> "ck-domain".equals(record.event().anonymousId()));
        }
    }
}
