package com.profilegrid.node.sdks;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.project.ProjectStore;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Reads back, over the node's HTTP API, the profiles that a client library's calls made. */
final class SdkProfiles {

    private SdkProfiles() {
    }

    /** The profile an id names, once the pipeline has folded what the client sent: {@code events} events in all. */
    static JsonNode profile(NodeFixture node, ProjectStore.Created project, String id, int events) {
        HttpResponse<String> found = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(
                () -> node.send(node.request("/v1/profiles/" + id, project.readKey()).GET().build()),
                response -> response.statusCode() == 200 && total(NodeFixture.json(response.body())) == events);
        return NodeFixture.json(found.body());
    }

    /** The profile {@code id} names, after checking that each of {@code otherIds} names the same one. */
    static JsonNode sameProfile(NodeFixture node, ProjectStore.Created project, String id, List<String> otherIds,
                                int events) {
        JsonNode profile = profile(node, project, id, events);
        for (String other : otherIds) {
            assertThat(profile(node, project, other, events).path("profileId")).as(other)
                    .isEqualTo(profile.path("profileId"));
        }
        return profile;
    }

    private static long total(JsonNode profile) {
        long total = 0;
        for (JsonNode count : profile.path("eventCounts")) {
            total += count.asLong();
        }
        return total;
    }
}
