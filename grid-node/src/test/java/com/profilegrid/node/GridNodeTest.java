package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.ProfileMapStore;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A whole node over real TCP and HTTP, on the embedded default database. */
class GridNodeTest {

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void when_started_then_ready_and_when_closed_then_pending_writes_are_flushed() throws Exception {
        int hazelcastPort = NodeFixture.freePort();
        NodeSettings settings = new NodeSettings(null, TestClusters.uniqueClusterName(), "127.0.0.1", hazelcastPort,
                null, "127.0.0.1", 0, dataDir, null, "", "", null, 4, 30, 3600, false, IngestSettings.DEFAULTS, "test-admin-token");
        Map<ProfileKey, Profile> written = SampleProfiles.profiles("acme", 1_000);

        try (GridNode node = GridNode.start(settings)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> get(node, "/ready").statusCode() == 200);
            JsonNode ready = json.readTree(get(node, "/ready").body());
            assertThat(ready.get("status").asText()).isEqualTo("READY");
            assertThat(ready.get("checks").get("databaseReachable").asBoolean()).isTrue();
            assertThat(json.readTree(get(node, "/health").body()).get("status").asText()).isEqualTo("UP");
            assertThat(node.member().getCluster().getLocalMember().getAddress().getPort()).isEqualTo(hazelcastPort);

            // write-behind delay is an hour: nothing reaches the database before the graceful shutdown
            node.member().getMap(StatePipeline.Maps.STATES).putAll(SampleProfiles.states(written));
        }

        try (Database database = Database.open(new Database.Settings(settings.effectiveDbUrl(), "", "", null, 2))) {
            assertThat(new ProfileMapStore(database.dataSource(), database.dialect()).loadAll(written.keySet()))
                    .isEqualTo(written);
        }
    }

    private HttpResponse<String> get(GridNode node, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
