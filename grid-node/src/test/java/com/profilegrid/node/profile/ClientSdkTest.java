package com.profilegrid.node.profile;

import com.hazelcast.map.IMap;
import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.client.ProfileGridException;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Java SDK against a real node: tracks durably, reads through its near cache, fails clearly. */
class ClientSdkTest {

    @TempDir
    Path dir;

    @Test
    void when_a_service_tracks_and_reads_then_the_near_cache_serves_hot_profiles_and_updates_reach_it() {
        String cluster = TestClusters.uniqueClusterName();
        int port = NodeFixture.freePort();
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), cluster, IngestSettings.DEFAULTS, port, null)) {
            ProjectStore.Created project = node.createProject("acme");
            ClientSettings settings = new ClientSettings(cluster, List.of("127.0.0.1:" + port),
                    URI.create("http://127.0.0.1:" + node.node().httpPort()), project.writeKey(), Duration.ofSeconds(10));
            try (ProfileGridClient client = ProfileGridClient.connect(settings)) {
                client.identify("u1", "device-1", Map.of("plan", "free"));
                client.track("u1", "Signed Up", Map.of("source", "ads", "value", 42));

                await().atMost(Duration.ofSeconds(30)).until(() -> client.profile(project.projectId(), "device-1")
                        .map(p -> p.eventCounts().containsKey("Signed Up")).orElse(false));
                Profile profile = client.profile(project.projectId(), "u1").orElseThrow();
                assertThat(profile.profileId()).isEqualTo("user:u1");
                assertThat(client.recentEvents(project.projectId(), "device-1")).extracting(e -> e.name())
                        .contains("Signed Up");

                IMap<ProfileKey, Profile> cached = nearCachedProfiles(client);
                long hitsBefore = cached.getLocalMapStats().getNearCacheStats().getHits();
                for (int i = 0; i < 100; i++) {
                    client.profile(project.projectId(), "user:u1");
                }
                assertThat(cached.getLocalMapStats().getNearCacheStats().getHits() - hitsBefore).isGreaterThanOrEqualTo(100);

                client.identify("u1", null, Map.of("plan", "pro"));
                await().atMost(Duration.ofSeconds(10)).until(() -> client.profile(project.projectId(), "user:u1")
                        .map(p -> p.properties().get("plan").json().equals("\"pro\"")).orElse(false));

                // dates and times are written as ISO-8601 text; no properties is no properties
                client.identify("u1", null, Map.of("signedUpAt", Instant.parse("2026-11-01T10:00:00Z"),
                        "birthday", LocalDate.of(1990, 5, 17), "legacy", Date.from(Instant.parse("2026-11-02T00:00:00Z"))));
                client.track("u1", "Logged In", null);
                // a caller's own retry under its message id changes the profile once
                client.track("u1", "Paid", Map.of("amount", 10), "order-1-paid");
                client.track("u1", "Paid", Map.of("amount", 10), "order-1-paid");
                client.track("u1", "Logged In", Map.of(), "after-paid");
                await().atMost(Duration.ofSeconds(10)).until(() -> client.profile(project.projectId(), "user:u1")
                        .map(p -> p.eventCounts().getOrDefault("Logged In", 0L) == 2).orElse(false));
                Profile dated = client.profile(project.projectId(), "user:u1").orElseThrow();
                assertThat(dated.eventCounts()).containsEntry("Paid", 1L);
                assertThat(dated.properties().get("signedUpAt").json()).isEqualTo("\"2026-11-01T10:00:00Z\"");
                assertThat(dated.properties().get("birthday").json()).isEqualTo("\"1990-05-17\"");
                assertThat(dated.properties().get("legacy").json()).startsWith("\"2026-11-02T00:00:00.000");

                assertThat(client.profile(project.projectId(), "nobody")).isEmpty();
                assertThat(client.recentEvents(project.projectId(), "nobody")).isEmpty();

                node.close();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThatThrownBy(() -> client.profile(project.projectId(), "somebody-else"))
                                .isInstanceOf(ProfileGridException.class)
                                .hasMessageContaining("not reachable"));
            }
        }
    }

    @Test
    void when_no_cluster_answers_then_connecting_fails_with_a_clear_exception() {
        ClientSettings settings = new ClientSettings("nowhere", List.of("127.0.0.1:" + NodeFixture.freePort()), null, null,
                Duration.ofSeconds(2));

        assertThatThrownBy(() -> ProfileGridClient.connect(settings))
                .isInstanceOf(ProfileGridException.class)
                .hasMessageContaining("cannot reach the ProfileGrid cluster 'nowhere'");
    }

    /** The SDK's own client instance, to read its near-cache statistics. */
    private static IMap<ProfileKey, Profile> nearCachedProfiles(ProfileGridClient client) {
        return com.hazelcast.client.HazelcastClient.getAllHazelcastClients().stream()
                .filter(instance -> instance.getName().startsWith("profilegrid-client-"))
                .findFirst().orElseThrow().getMap(GridMaps.PROFILES);
    }
}
