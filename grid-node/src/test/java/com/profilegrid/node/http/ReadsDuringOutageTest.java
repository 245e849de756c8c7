package com.profilegrid.node.http;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.H2TcpServer;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Profile reads while the database is down or a member does not answer (invariant 6: answered 2xx, 429 or 503 with
 * Retry-After, within a bounded time): a profile the grid holds is still answered; one the node would have to load
 * from the database is a 503 with Retry-After, not a 500 or a wait without end; a read whose partition does not
 * answer is a 503 after {@link ProfileRoutes#READ_WITHIN}, not after Hazelcast's 60 s call timeout; once the database
 * or the partition is back the same read answers again.
 */
class ReadsDuringOutageTest {

    /** The most a read may take here: the HTTP client gives up after it, which fails the test. */
    private static final Duration READ_BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void when_the_database_is_down_then_a_read_it_would_need_is_answered_503_with_retry_after() throws Exception {
        try (H2TcpServer database = new H2TcpServer(dir.resolve("db"))) {
            ProjectStore.Created project = TestDatabases.createProject(database.settings(), "reads");
            try (NodeFixture node = NodeFixture.onStoppable(dir, database)) {
                node.postAcknowledged("/v1/identify", project.writeKey(),
                        "{\"userId\":\"u1\",\"traits\":{\"plan\":\"pro\"},\"messageId\":\"m-1\"}");
                await().atMost(Duration.ofSeconds(30)).until(() -> read(node, project, "user:u1").statusCode() == 200);
                assertThat(read(node, project, "user:nobody").statusCode()).isEqualTo(404);

                database.stop();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> !NodeFixture.json(node.get("/ready").body())
                            .get("checks").get("databaseReachable").asBoolean());
                    HttpResponse<String> held = read(node, project, "user:u1");
                    assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
                    assertThat(NodeFixture.json(held.body()).at("/properties/plan").asText()).isEqualTo("pro");

                    HttpResponse<String> cold = read(node, project, "user:someone-else");
                    assertThat(cold.statusCode()).as(cold.body()).isEqualTo(503);
                    assertThat(cold.headers().firstValue("Retry-After")).hasValue("5");
                    // the database's refusal, or the read's own bound when the pool's wait for a connection outlasts it
                    assertThat(NodeFixture.json(cold.body()).get("message").asText()).contains("cannot answer now");
                } finally {
                    database.start();
                }
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        read(node, project, "user:someone-else").statusCode() == 404);
            }
        }
    }

    @Test
    void when_the_member_holding_a_profile_does_not_answer_then_its_read_is_answered_503_within_seconds()
            throws Exception {
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(),
                IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("held");
            node.postAcknowledged("/v1/identify", project.writeKey(), "{\"userId\":\"u1\",\"messageId\":\"m-1\"}");
            await().atMost(Duration.ofSeconds(30)).until(() -> read(node, project, "user:u1").statusCode() == 200);

            // the profile's partition thread held for longer than a read waits (as a long pause of its member would)
            IMap<ProfileKey, Profile> profiles = node.node().member().getMap(new Generation(0).profilesMap());
            CompletionStage<Object> holding = profiles.submitToKey(new ProfileKey(project.projectId(), "user:u1"),
                    new Hold(ProfileRoutes.READ_WITHIN.multipliedBy(2)));
            HttpResponse<String> held = read(node, project, "user:u1");
            assertThat(held.statusCode()).as(held.body()).isEqualTo(503);
            assertThat(held.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(NodeFixture.json(held.body()).get("message").asText()).contains("the cluster did not answer");

            holding.toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(read(node, project, "user:u1").statusCode()).isEqualTo(200);
        }
    }

    /** Holds its key's partition thread for a while, changing nothing. */
    private record Hold(Duration time) implements EntryProcessor<ProfileKey, Profile, Object> {
        @Override
        public Object process(Map.Entry<ProfileKey, Profile> entry) {
            try {
                Thread.sleep(time.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }

        @Override
        public EntryProcessor<ProfileKey, Profile, Object> getBackupProcessor() {
            return null;
        }
    }

    private static HttpResponse<String> read(NodeFixture node, ProjectStore.Created project, String id) {
        return node.send(HttpRequest.newBuilder(node.uri("/v1/profiles/" + id)).timeout(READ_BOUND)
                .header("Authorization", "Bearer " + project.readKey()).GET().build());
    }
}
