package com.profilegrid.node.sdks;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.cluster.Address;
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
 * Hazelcast's own Node.js client ({@code hazelcast-client} on npm, installed by the test, driven by
 * {@code hazelcast-client/read.js}), with none of ProfileGrid's classes, reads a profile from the grid by a Compact
 * record of its key, and the id index by its string key, in the maps of the generation a rebuild of the project gave
 * it (found in the meta map, as the README tells such clients); then, after one more event, reads the profile again and
 * sees the event. A profile key whose partition followed a Java-only rule sent that client's read to another
 * partition, where the readers' map loaded a copy that no change deleted: the second read kept answering the first.
 */
class HazelcastNodeClientTest {

    static final String CLIENT_VERSION = "5.6.0";

    @TempDir
    Path dir;

    @Test
    void when_the_nodejs_client_reads_a_profile_by_its_compact_key_then_it_sees_it_and_its_next_event() throws Exception {
        Path client = NpmPackages.install("hazelcast-client", CLIENT_VERSION);
        String cluster = TestClusters.uniqueClusterName();
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.POSTGRESQL.fresh(dir), cluster,
                IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("hazelcast-node-client");
            node.postAcknowledged("/v1/batch", project.writeKey(), """
                    {"batch": [
                      {"type": "track", "anonymousId": "ck-ada", "event": "signup", "messageId": "m1"},
                      {"type": "identify", "anonymousId": "ck-ada", "userId": "u-ada", "messageId": "m2"}
                    ]}""");
            JsonNode ada = SdkProfiles.sameProfile(node, project, "u-ada", List.of("ck-ada"), 2);
            assertThat(ada.path("profileId").asText()).isEqualTo("user:u-ada");
            // a rebuild of the project gives it a generation of its own: the client finds its maps in the meta map
            assertThat(node.admin("POST", "/admin/rebuild?project=" + project.projectId(), null).statusCode())
                    .isBetween(200, 202);
            node.awaitRebuildDone();

            Address member = node.node().member().getCluster().getLocalMember().getAddress();
            JsonNode read = NpmPackages.drive("/hazelcast-client/read.js", client, node, Map.of(
                    "HZ_MEMBER", member.getHost() + ":" + member.getPort(),
                    "HZ_CLUSTER", cluster,
                    "PROJECT", project.projectId(),
                    "WRITE_KEY", project.writeKey(),
                    "PROFILE_ID", "user:u-ada",
                    "ANONYMOUS_ID", "ck-ada",
                    "EVENT", "signup"));

            assertThat(read.path("generation").asInt()).as(read.toString()).isPositive();
            assertThat(read.path("profileId").asText()).isEqualTo("user:u-ada");
            assertThat(read.path("userId").asText()).isEqualTo("u-ada");
            assertThat(read.path("anonymousIds").toString()).isEqualTo("[\"ck-ada\"]");
            assertThat(read.path("profileOfAnonymousId").asText()).isEqualTo("user:u-ada");
            assertThat(read.path("countBefore").asInt()).isEqualTo(1);
            assertThat(read.path("trackStatus").asInt()).isIn(200, 202);
            assertThat(read.path("countAfter").asInt()).as("the event tracked after the first read").isEqualTo(2);
        }
    }
}
