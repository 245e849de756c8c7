package com.profilegrid.node.triggers;

import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.Firing;
import com.profilegrid.client.LabelPage;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.client.ProfileGridException;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The SDK's labels and firings against a real node: a profile's labels, label counts and member pages with the read
 * key, and a firing listener that gets the same firings, under the same ids, as the webhook.
 */
class ClientSdkRulesTest {

    @TempDir
    Path dir;

    @Test
    void when_visitors_sign_up_then_the_sdk_sees_their_labels_pages_the_members_and_hears_each_firing() throws Exception {
        String cluster = TestClusters.uniqueClusterName();
        int port = NodeFixture.freePort();
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), cluster, IngestSettings.DEFAULTS,
                port, null); Receiver receiver = new Receiver()) {
            ProjectStore.Created project = node.createProject("acme");
            String admin = "/admin/projects/" + project.projectId();
            assertThat(node.admin("POST", admin + "/labels", "{\"name\": \"signed-up\", \"rule\": {\"event\": "
                    + "\"Signed Up\", \"count\": {\"gte\": 1}}}").statusCode()).isEqualTo(201);
            assertThat(node.admin("POST", admin + "/triggers", "{\"name\": \"hello\", \"on\": {\"event\": \"Signed Up\"}, "
                    + "\"webhook\": {\"url\": \"" + receiver.url("/hello") + "\", \"secret\": \"sixteen-characters\"}}")
                    .statusCode()).isEqualTo(201);
            ClientSettings settings = new ClientSettings(cluster, List.of("127.0.0.1:" + port),
                    URI.create("http://127.0.0.1:" + node.node().httpPort()), project.writeKey(), Duration.ofSeconds(10))
                    .withReadKey(project.readKey());
            try (ProfileGridClient client = ProfileGridClient.connect(settings)) {
                List<Firing> heard = new CopyOnWriteArrayList<>();
                AutoCloseable listening = client.onFiring(project.projectId(), heard::add);
                for (int u = 1; u <= 3; u++) {
                    client.track("u" + u, "Signed Up", Map.of("plan", "free"));
                }
                client.track("u4", "Viewed", Map.of());

                await().atMost(Duration.ofSeconds(30)).until(() ->
                        client.labels(project.projectId(), "u3").contains("signed-up"));
                await().atMost(Duration.ofSeconds(30)).until(() -> client.profile(project.projectId(), "u4").isPresent());
                assertThat(client.labels(project.projectId(), "u4")).isEmpty();
                assertThat(client.labels(project.projectId(), "nobody")).isEmpty();

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(client.labelCounts()).containsEntry("signed-up", 3L));
                LabelPage first = client.labelMembers("signed-up", 2, null);
                assertThat(first.members()).hasSize(2);
                assertThat(first.nextCursor()).isNotNull();
                LabelPage second = client.labelMembers("signed-up", 2, first.nextCursor());
                assertThat(second.nextCursor()).isNull();
                List<String> members = new ArrayList<>(first.members());
                members.addAll(second.members());
                assertThat(members).containsExactly("user:u1", "user:u2", "user:u3");

                await().atMost(Duration.ofSeconds(30)).until(() -> heard.size() >= 3 && receiver.at("/hello").size() >= 3);
                Set<String> delivered = new HashSet<>();
                receiver.at("/hello").forEach(received -> delivered.add(received.idempotencyKey()));
                assertThat(heard).extracting(Firing::firingId).as("the webhook's firing ids")
                        .containsExactlyInAnyOrderElementsOf(delivered);
                assertThat(heard).extracting(Firing::profileId)
                        .containsExactlyInAnyOrder("user:u1", "user:u2", "user:u3");
                assertThat(heard).allSatisfy(firing -> {
                    assertThat(firing.trigger()).isEqualTo("hello");
                    assertThat(firing.causeType()).isEqualTo("event");
                    assertThat(firing.cause()).isEqualTo("Signed Up");
                    assertThat(firing.messageId()).isNotBlank();
                });

                listening.close();
                client.track("u5", "Signed Up", Map.of());
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/hello").size() >= 4);
                assertThat(heard).as("a closed listener hears no more").hasSize(3);

                assertThatThrownBy(() -> client.labelMembers("no-such-label", 10, null))
                        .isInstanceOf(ProfileGridException.class).hasMessageContaining("404");
            }
            // a limit out of range is refused by name, on the label queries and the firings alike
            java.net.http.HttpResponse<String> badLimit = node.send(node.request("/v1/labels/signed-up/members?limit=0",
                    project.readKey()).GET().build());
            assertThat(badLimit.statusCode()).isEqualTo(400);
            assertThat(badLimit.body()).contains("limit: a whole number from 1 to 1000, not \\\"0\\\"");
            java.net.http.HttpResponse<String> badFirings = node.admin("GET", admin + "/firings?limit=many", null);
            assertThat(badFirings.statusCode()).isEqualTo(400);
            assertThat(badFirings.body()).contains("limit: a whole number from 1 to");

            ClientSettings noReadKey = new ClientSettings(cluster, List.of("127.0.0.1:" + port),
                    URI.create("http://127.0.0.1:" + node.node().httpPort()), project.writeKey(), Duration.ofSeconds(10));
            try (ProfileGridClient client = ProfileGridClient.connect(noReadKey)) {
                assertThatThrownBy(client::labelCounts).isInstanceOf(ProfileGridException.class)
                        .hasMessageContaining("readKey");
            }
        }
    }
}
