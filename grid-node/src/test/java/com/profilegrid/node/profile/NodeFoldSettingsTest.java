package com.profilegrid.node.profile;

import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeSettings;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node's fold settings (visit gap, recent events kept) reach the profile job. */
class NodeFoldSettingsTest {

    @TempDir
    Path dir;

    @Test
    void when_a_node_has_a_three_hour_visit_gap_and_keeps_two_events_then_profiles_fold_that_way() {
        NodeSettings settings = NodeFixture.settings(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(),
                IngestSettings.DEFAULTS, NodeFixture.freePort(), null).withFold(new FoldSettings(Duration.ofHours(3), 2));
        try (NodeFixture node = NodeFixture.start(settings)) {
            ProjectStore.Created project = node.createProject("acme");
            for (String at : new String[] {"10:00", "10:01", "12:00", "12:05"}) {
                // two hours apart at most: one visit with this gap (two with the default 30 minutes)
                assertThat(node.post("/v1/track", project.writeKey(), "{\"userId\":\"u1\",\"event\":\"Viewed\",\"messageId\":\"m"
                        + at + "\",\"timestamp\":\"2026-11-01T" + at + ":00Z\"}").statusCode()).isEqualTo(200);
            }
            ProfileKey user = new ProfileKey(project.projectId(), "user:u1");
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Profile profile = node.node().profiles().get(user);
                return profile != null && profile.eventCounts().get("Viewed") == 4L;
            });
            Profile profile = node.node().profiles().get(user);
            assertThat(profile.visitCount()).isEqualTo(1);
            assertThat(profile.recentEvents()).extracting(RecentEvent::messageId).containsExactlyInAnyOrder("m12:05", "m12:00");
        }
    }
}
