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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Segment's own Node.js client ({@code @segment/analytics-node} on npm, installed by the test, driven by
 * {@code segment-sdk/drive.js}), given the project's write key and the node as its host: every call's callback sees
 * it delivered, and the page view, identify, tracks and alias make one profile, found by each of its ids; a guest's
 * track with an empty user id (which the client sends) is the anonymous visitor's, and its batch is taken.
 */
class SegmentNodeSdkTest {

    static final String ANALYTICS_NODE_VERSION = "3.1.0";

    @TempDir
    Path dir;

    @Test
    void when_segments_node_client_sends_then_every_call_lands_in_one_profile() throws Exception {
        Path sdk = NpmPackages.install("@segment/analytics-node", ANALYTICS_NODE_VERSION);
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.POSTGRESQL.fresh(dir),
                TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("segment-node");

            JsonNode results = NpmPackages.drive("/segment-sdk/drive.js", sdk, node, Map.of("WRITE_KEY", project.writeKey()));

            assertThat(results.path("failed")).as(results.toString()).isEmpty();
            assertThat(results.path("errors")).as(results.toString()).isEmpty();
            assertThat(results.path("delivered")).hasSize(6);

            JsonNode linus = SdkProfiles.sameProfile(node, project, "u-linus",
                    List.of("anon-linus", "linus@example.com", "legacy-linus"), 5);
            assertThat(linus.path("eventCounts").path("Signed Up").asLong()).isEqualTo(2);
            assertThat(linus.path("properties").path("plan").asText()).isEqualTo("pro");
            // the guest's empty user id is no id: the track is the anonymous visitor's, and its batch was taken
            JsonNode guest = SdkProfiles.profile(node, project, "anon-guest", 1);
            assertThat(guest.path("identities").path("userId").asText(null)).as(guest.toString()).isNull();
            assertThat(guest.path("eventCounts").path("Viewed Pricing").asLong()).isEqualTo(1);
        }
    }
}
