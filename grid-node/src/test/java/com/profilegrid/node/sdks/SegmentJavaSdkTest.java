package com.profilegrid.node.sdks;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.TrackMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Segment's own Java client ({@code com.segment.analytics.java:analytics}), given the project's write key and the
 * node as its endpoint, as a Segment user would point it at ProfileGrid: every message it sends is accepted (its
 * callback sees success, none fails), and the visitor's page view as an anonymous visitor, identify, tracks and alias
 * make one profile, found by its user id, its anonymous id, its e-mail address and its previous id.
 */
class SegmentJavaSdkTest {

    @TempDir
    Path dir;

    @Test
    void when_segments_java_client_sends_then_every_message_lands_in_one_profile() throws Exception {
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.POSTGRESQL.fresh(dir),
                TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("segment-java");
            List<Message> delivered = new CopyOnWriteArrayList<>();
            List<Throwable> failed = new CopyOnWriteArrayList<>();
            Analytics analytics = Analytics.builder(project.writeKey())
                    .endpoint("http://127.0.0.1:" + node.node().httpPort())
                    .flushQueueSize(3)
                    .flushInterval(1, TimeUnit.SECONDS)
                    .callback(new Callback() {
                        @Override
                        public void success(Message message) {
                            delivered.add(message);
                        }

                        @Override
                        public void failure(Message message, Throwable cause) {
                            failed.add(cause);
                        }
                    })
                    .build();
            try {
                analytics.enqueue(PageMessage.builder("Pricing").anonymousId("anon-grace")
                        .properties(Map.of("path", "/pricing")));
                analytics.enqueue(IdentifyMessage.builder().userId("u-grace").anonymousId("anon-grace")
                        .traits(Map.of("email", "grace@example.com", "name", "Grace Hopper", "plan", "trial")));
                analytics.enqueue(TrackMessage.builder("Order Completed").userId("u-grace")
                        .properties(Map.of("revenue", 42.5, "currency", "USD")));
                analytics.enqueue(TrackMessage.builder("Order Completed").userId("u-grace")
                        .properties(Map.of("revenue", 10, "currency", "USD")));
                analytics.enqueue(AliasMessage.builder("legacy-grace").userId("u-grace"));
                analytics.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() + failed.size() == 5);
            } finally {
                analytics.shutdown();
            }
            assertThat(failed).isEmpty();

            JsonNode grace = SdkProfiles.sameProfile(node, project, "u-grace",
                    List.of("anon-grace", "grace@example.com", "legacy-grace"), 5);
            assertThat(grace.path("eventCounts").path("Order Completed").asLong()).isEqualTo(2);
            assertThat(grace.path("properties").path("plan").asText()).isEqualTo("trial");
            assertThat(grace.path("properties").path("name").asText()).isEqualTo("Grace Hopper");
        }
    }
}
