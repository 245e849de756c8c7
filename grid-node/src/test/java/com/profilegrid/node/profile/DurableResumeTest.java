package com.profilegrid.node.profile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.profile.DurableProgress;
import com.profilegrid.pipelines.profile.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A profile job that starts without a snapshot (as after a full-cluster restart, or when two members were lost at once)
 * goes on from the positions whose effects are stored, not from the log's beginning, and its identity graphs read back
 * the links recorded before those positions: a new link to an id linked long ago joins the profile it is in. The graphs
 * here may hold only {@value #GRAPH_IDS} ids, so they forget clusters and read them back all along.
 */
class DurableResumeTest {

    private static final int VISITORS = 60;
    private static final int GRAPH_IDS = 10;
    private static final String GRAPH_IDS_PROPERTY = "profilegrid.identity.max-ids";
    private static final int TRACKS = 8;

    @TempDir
    Path dir;

    private NodeFixture node;
    private ProjectStore.Created project;

    @BeforeEach
    void startNode() {
        System.setProperty(GRAPH_IDS_PROPERTY, Integer.toString(GRAPH_IDS));
        node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);
        project = node.createProject("acme");
    }

    @AfterEach
    void stopNode() {
        node.close();
        System.clearProperty(GRAPH_IDS_PROPERTY);
    }

    @Test
    void when_the_job_starts_again_without_its_snapshot_then_it_goes_on_from_stored_positions_with_its_links() throws Exception {
        HazelcastInstance member = node.node().member();
        DurableProgress progress = (DurableProgress) member.getUserContext().get(DurableProgress.USER_CONTEXT_KEY);
        for (int v = 0; v < VISITORS; v++) {
            List<String> messages = new ArrayList<>();
            for (int t = 0; t < TRACKS; t++) {
                messages.add(message("track", "\"anonymousId\":\"a-" + v + "\",\"event\":\"Viewed\"", "t" + v + "-" + t, t));
            }
            messages.add(message("identify", "\"anonymousId\":\"a-" + v + "\",\"userId\":\"u-" + v + "\"", "i" + v, TRACKS));
            batch(messages);
        }
        IMap<ProfileKey, Profile> profiles = node.node().profiles();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int v = 0; v < VISITORS; v++) {
                assertThat(events(profiles.get(key("user:u-" + v)))).as("visitor " + v).isEqualTo(TRACKS + 1);
            }
        });
        String jobName = Generation.active(member).jobName();
        Map<Long, Long> logEnds = new HashMap<>();
        for (LogRecord record : node.logRecords()) {
            logEnds.merge(record.shard(), record.seq(), Math::max);
        }
        int logged = VISITORS * (TRACKS + 1);
        await("positions stored to the log's end").atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(progress.positions(jobName)).isEqualTo(logEnds));
        List<String> users = new ArrayList<>();
        for (int v = 0; v < VISITORS; v++) {
            users.add("user:u-" + v);
        }
        assertThat(progress.linksTouching(project.projectId(), users)).as("the links, recorded").hasSize(VISITORS);

        node.node().stopProfileJob(); // a cancelled job's snapshots are gone
        await().atMost(Duration.ofSeconds(30)).until(() -> member.getJet().getJob(jobName).getStatus().isTerminal());
        Job fresh = ProfileJob.start(member, Generation.active(member), null, FoldSettings.DEFAULTS);

        // each visitor's old anonymous id now gives an e-mail address: the address joins the user's profile only if
        // the graph reads the old link back (alone, the anonymous id and the address would make a profile of their own)
        for (int v = 0; v < VISITORS; v++) {
            batch(List.of(
                    message("identify", "\"anonymousId\":\"a-" + v + "\",\"traits\":{\"email\":\"v" + v + "@example.com\"}",
                            "e" + v, TRACKS + 1),
                    message("track", "\"userId\":\"u-" + v + "\",\"event\":\"Bought\"", "b" + v, TRACKS + 2)));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int v = 0; v < VISITORS; v++) {
                Profile profile = profiles.get(key("user:u-" + v));
                assertThat(events(profile)).as("visitor " + v).isEqualTo(TRACKS + 3);
                assertThat(profile.identities().emails()).containsExactly("v" + v + "@example.com");
                assertThat(profiles.get(key("email:v" + v + "@example.com"))).isNull();
            }
        });
        int after = 2 * VISITORS;
        await().atMost(Duration.ofSeconds(60)).until(() -> ProfileJob.eventsRead(fresh) >= after);
        Thread.sleep(6_000); // metrics trail: let any further reads show
        assertThat(ProfileJob.eventsRead(fresh)).as("read from the stored positions, not the %d events before", logged)
                .isEqualTo(after);
    }

    private static long events(Profile profile) {
        return profile == null ? 0 : profile.eventCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    private ProfileKey key(String id) {
        return new ProfileKey(project.projectId(), id);
    }

    private static String message(String type, String fields, String messageId, int minute) {
        return "{\"type\":\"" + type + "\"," + fields + ",\"messageId\":\"" + messageId + "\",\"timestamp\":\"2026-11-01T10:"
                + String.format("%02d", minute) + ":00Z\"}";
    }

    private void batch(List<String> messages) {
        assertThat(node.post("/v1/batch", project.writeKey(), "{\"batch\":[" + String.join(",", messages) + "]}")
                .statusCode()).isEqualTo(200);
    }
}
