package com.profilegrid.node.profile;

import com.hazelcast.map.IMap;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events tracked over HTTP become profiles through the streaming pipeline, identities joined. */
class ProfilePipelineTest {

    @TempDir
    Path dir;

    private NodeFixture node;
    private ProjectStore.Created project;
    private Database.Settings db;

    @BeforeEach
    void startNode() throws Exception {
        db = TestDatabases.H2.fresh(dir);
        node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);
        project = node.createProject("acme");
    }

    @AfterEach
    void stopNode() throws Exception {
        node.close();
    }

    @Test
    void when_an_anonymous_visitor_identifies_and_returns_on_another_device_then_one_profile_holds_it_all() throws Exception {
        post("{\"anonymousId\":\"device-1\",\"event\":\"Viewed\",\"messageId\":\"m1\",\"timestamp\":\"2026-11-01T10:00:00Z\"}", "track");
        post("{\"anonymousId\":\"device-1\",\"userId\":\"u1\",\"traits\":{\"plan\":\"pro\"},\"messageId\":\"m2\","
                + "\"timestamp\":\"2026-11-01T10:01:00Z\"}", "identify");
        post("{\"anonymousId\":\"device-2\",\"event\":\"Viewed\",\"messageId\":\"m3\",\"timestamp\":\"2026-11-01T12:00:00Z\"}", "track");
        post("{\"anonymousId\":\"device-2\",\"userId\":\"u1\",\"event\":\"Bought\",\"messageId\":\"m4\","
                + "\"timestamp\":\"2026-11-01T12:05:00Z\"}", "track");

        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        ProfileKey user = new ProfileKey(project.projectId(), "user:u1");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Profile profile = profiles.get(user);
            assertThat(profile).isNotNull();
            assertThat(profile.eventCounts()).containsEntry("Viewed", 2L).containsEntry("Bought", 1L)
                    .containsEntry("$identify", 1L);
        });
        Profile profile = profiles.get(user);
        assertThat(profile.identities().anonymousIds()).containsExactlyInAnyOrder("device-1", "device-2");
        assertThat(profile.properties().get("plan").json()).isEqualTo("\"pro\"");
        assertThat(profile.visitCount()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                profiles.get(new ProfileKey(project.projectId(), "anon:device-1")) == null
                        && profiles.get(new ProfileKey(project.projectId(), "anon:device-2")) == null);
        IMap<String, String> ids = node.node().member().getMap(ProfileJob.IDS_MAP);
        assertThat(ids.get(project.projectId() + "\u001fanon:device-2")).isEqualTo("user:u1");

        for (String id : List.of("device-1", "device-2", "u1", "user:u1", "anon:device-1")) {
            HttpResponse<String> read = node.send(node.request("/v1/profiles/" + id, project.readKey()).GET().build());
            assertThat(read.statusCode()).as(id).isEqualTo(200);
            JsonNode json = NodeFixture.json(read.body());
            assertThat(json.get("profileId").asText()).isEqualTo("user:u1");
            assertThat(json.get("properties").get("plan").asText()).isEqualTo("pro");
            assertThat(json.get("eventCounts").get("Viewed").asLong()).isEqualTo(2);
            assertThat(json.get("visitCount").asInt()).isEqualTo(2);
            assertThat(json.get("eventCountsByDay").get("2026-11-01").get("Viewed").asLong()).isEqualTo(2);
            assertThat(json.get("recentEvents").get(0).get("messageId").asText()).isEqualTo("m4");
        }
        assertThat(node.send(node.request("/v1/profiles/device-1", project.writeKey()).GET().build()).statusCode()).isEqualTo(401);
        assertThat(node.send(node.request("/v1/profiles/device-1", null).GET().build()).statusCode()).isEqualTo(401);
        assertThat(node.send(node.request("/v1/profiles/nobody", project.readKey()).GET().build()).statusCode()).isEqualTo(404);
        ProjectStore.Created other = node.createProject("other");
        assertThat(node.send(node.request("/v1/profiles/device-1", other.readKey()).GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void when_two_known_users_share_a_device_then_they_are_not_merged_and_the_refusal_is_recorded() throws Exception {
        post("{\"anonymousId\":\"shared\",\"userId\":\"alice\",\"messageId\":\"m1\",\"timestamp\":\"2026-11-01T10:00:00Z\"}", "identify");
        post("{\"anonymousId\":\"shared\",\"userId\":\"bob\",\"messageId\":\"m2\",\"timestamp\":\"2026-11-01T11:00:00Z\"}", "identify");

        IMap<String, String> refusals = node.node().member().getMap(ProfileJob.REFUSALS_MAP);
        await().atMost(Duration.ofSeconds(30)).until(() -> refusals.get(project.projectId() + "\u001fm2") != null);
        assertThat(refusals.get(project.projectId() + "\u001fm2")).contains("user:alice", "user:bob");
        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        await().atMost(Duration.ofSeconds(10)).until(() -> profiles.get(new ProfileKey(project.projectId(), "user:bob")) != null);
        assertThat(profiles.get(new ProfileKey(project.projectId(), "user:alice")).identities().anonymousIds()).contains("shared");
        assertThat(profiles.get(new ProfileKey(project.projectId(), "user:bob")).identities().userId()).isEqualTo("bob");
    }

    @Test
    void when_a_late_older_link_changes_what_is_refused_then_the_refusals_follow() throws Exception {
        post("{\"anonymousId\":\"x\",\"userId\":\"alice\",\"messageId\":\"m1\",\"timestamp\":\"2026-11-01T10:00:00Z\"}", "identify");
        post("{\"anonymousId\":\"x\",\"userId\":\"bob\",\"messageId\":\"m2\",\"timestamp\":\"2026-11-01T10:20:00Z\"}", "identify");
        IMap<String, String> refusals = node.node().member().getMap(ProfileJob.REFUSALS_MAP);
        await().atMost(Duration.ofSeconds(30)).until(() -> refusals.get(project.projectId() + "\u001fm2") != null);

        // bob used the device first after all: x was his before alice's sign-in, which is now the refused one
        post("{\"anonymousId\":\"x\",\"userId\":\"bob\",\"messageId\":\"m0\",\"timestamp\":\"2026-11-01T09:50:00Z\"}", "identify");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(refusals.get(project.projectId() + "\u001fm1")).contains("user:alice", "user:bob");
            assertThat(refusals.get(project.projectId() + "\u001fm2")).isNull();
        });
        IMap<String, String> ids = node.node().member().getMap(ProfileJob.IDS_MAP);
        await().atMost(Duration.ofSeconds(10)).until(() -> "user:bob".equals(ids.get(project.projectId() + "\u001fanon:x")));
        assertThat(NodeFixture.json(node.send(node.request("/v1/profiles/x", project.readKey()).GET().build()).body())
                .get("profileId").asText()).isEqualTo("user:bob");
    }

    @Test
    void when_the_cluster_restarts_then_the_refusals_are_still_recorded_and_a_withdrawn_one_stays_withdrawn() throws Exception {
        post("{\"anonymousId\":\"x\",\"userId\":\"alice\",\"messageId\":\"m1\",\"timestamp\":\"2026-11-01T10:00:00Z\"}", "identify");
        post("{\"anonymousId\":\"x\",\"userId\":\"bob\",\"messageId\":\"m2\",\"timestamp\":\"2026-11-01T10:20:00Z\"}", "identify");
        IMap<String, String> refusals = node.node().member().getMap(ProfileJob.REFUSALS_MAP);
        await().atMost(Duration.ofSeconds(30)).until(() -> refusals.get(project.projectId() + "\u001fm2") != null);
        post("{\"anonymousId\":\"x\",\"userId\":\"bob\",\"messageId\":\"m0\",\"timestamp\":\"2026-11-01T09:50:00Z\"}", "identify");
        await().atMost(Duration.ofSeconds(30)).until(() -> refusals.get(project.projectId() + "\u001fm2") == null
                && refusals.get(project.projectId() + "\u001fm1") != null);
        Map<String, String> before = Map.copyOf(refusals);

        node.close();
        node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);

        IMap<String, String> after = node.node().member().getMap(ProfileJob.REFUSALS_MAP);
        assertThat(Map.copyOf(after)).as("listed after a full restart, before any event touches the ids")
                .isEqualTo(before).containsOnlyKeys(project.projectId() + "\u001fm1");
        assertThat(after.get(project.projectId() + "\u001fm1")).contains("user:alice", "user:bob");
    }

    @Test
    void when_a_cold_profile_gets_events_and_the_log_is_replayed_then_each_event_folds_onto_its_persisted_state_once()
            throws Exception {
        post("{\"anonymousId\":\"device-9\",\"userId\":\"u9\",\"messageId\":\"c1\",\"timestamp\":\"2026-11-01T10:00:00Z\"}",
                "identify");
        for (int i = 2; i <= 3; i++) {
            post("{\"userId\":\"u9\",\"event\":\"Viewed\",\"messageId\":\"c" + i
                    + "\",\"timestamp\":\"2026-11-01T10:0" + i + ":00Z\"}", "track");
        }
        ProfileKey user = new ProfileKey(project.projectId(), "user:u9");
        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        await().atMost(Duration.ofSeconds(30)).until(() -> events(profiles.get(user)) == 3);

        coolDown();
        post("{\"anonymousId\":\"device-9\",\"event\":\"Viewed\",\"messageId\":\"c4\",\"timestamp\":\"2026-11-01T10:04:00Z\"}",
                "track");
        post("{\"userId\":\"u9\",\"event\":\"Bought\",\"messageId\":\"c5\",\"timestamp\":\"2026-11-01T10:05:00Z\"}", "track");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(profiles.get(user)) == 5);
        Profile warm = profiles.get(user);
        assertThat(warm.eventCounts()).containsEntry("Viewed", 3L).containsEntry("Bought", 1L).containsEntry("$identify", 1L);
        assertThat(warm.identities().anonymousIds()).containsExactly("device-9");

        // a job without a snapshot replays the whole log onto the state the database holds
        node.node().stopProfileJob();
        coolDown();
        com.hazelcast.jet.Job again = ProfileJob.start(node.node().member(),
                com.profilegrid.model.Generation.active(node.node().member()), null,
                com.profilegrid.pipelines.fold.FoldSettings.DEFAULTS);
        await().atMost(Duration.ofSeconds(30)).until(() -> ProfileJob.eventsRead(again) >= 5);
        Thread.sleep(2_000); // what a replay would add, it would add within this
        assertThat(profiles.get(user)).as("the same profile, each event once").isEqualTo(warm);
        again.cancel();
    }

    /** Stores what the state maps hold and drops it all from memory, as if evicted: the next use loads it. */
    private void coolDown() {
        node.node().flushProfiles(project.projectId());
        var member = node.node().member();
        for (String map : List.of("raw-ids", "profile-state", com.profilegrid.model.GridMaps.PROFILES, ProfileJob.IDS_MAP)) {
            member.getMap(map).evictAll();
            assertThat(member.getMap(map).size()).as("%s in memory", map).isZero();
        }
    }

    private static long events(Profile profile) {
        return profile == null ? 0 : profile.eventCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    private void post(String body, String type) throws InterruptedException {
        node.postLogged("/v1/" + type, project.writeKey(), body);
    }
}
