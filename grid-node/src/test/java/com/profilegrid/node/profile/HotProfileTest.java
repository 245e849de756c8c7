package com.profilegrid.node.profile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.map.IMap;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRebuild;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.TrackingLogSource;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.RawIdEntry;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hot profile (docs/profile-state.md, "Hot profiles"): one user signed in from very many anonymous ids, as a shared
 * device or a test user is. Its state lists at most a bounded number of raw ids (here 8, so that a few hundred ids
 * exercise every path; 256 by default), so each of its events reads and writes a state no larger than a normal
 * profile's; the ids it no longer lists are sealed on their own entries and recorded in member chunks. The profiles
 * still equal the rebuild from the log, also after a job that reads the whole log again from its start (every sealed
 * id's events come again and must change nothing), and after more events of ids long sealed.
 */
class HotProfileTest {

    private static final int MAX_LISTED = 8;
    private static final int ANONYMOUS_IDS = 400;
    private static final String RAW_IDS = "hot-raw-ids";
    private static final String STATE = "hot-profile-state";
    private static final String PROFILES = "hot-profiles";
    private static final ProfileFold FOLD = new ProfileFold(new FoldSettings(Duration.ofMinutes(30), 20, MAX_LISTED));

    @TempDir
    Path dir;

    @Test
    void a_profile_of_very_many_ids_lists_a_bounded_number_and_still_equals_the_rebuild() throws Exception {
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(),
                IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("acme");
            node.node().stopProfileJob();
            HazelcastInstance member = node.node().member();
            Job job = start(member, "hot-1");
            // each anonymous id browses, then signs in as the same user, then browses on
            for (int from = 0; from < ANONYMOUS_IDS; from += 50) {
                send(node, project, "first", from, from + 50);
            }
            awaitProfilesEqualRebuild(node, member, project);
            ProfileKey hot = new ProfileKey(project.projectId(), "user:tester");
            assertBounded(member, hot);

            // events of ids sealed long ago, and of the user: each folds in once
            send(node, project, "later", 0, 40);
            awaitProfilesEqualRebuild(node, member, project);
            assertBounded(member, hot);

            // no snapshot: every event of the log comes again, sealed ids' too, and changes nothing
            job.cancel();
            Job again = start(member, "hot-2");
            send(node, project, "again", 100, 120);
            awaitProfilesEqualRebuild(node, member, project);
            assertBounded(member, hot);
            again.cancel();
        }
    }

    private static void assertBounded(HazelcastInstance member, ProfileKey hot) {
        IMap<ProfileKey, ProfileState> states = member.getMap(STATE);
        ProfileState state = states.get(hot);
        assertThat(state.absorbed()).as("raw ids the hot profile lists").hasSizeLessThanOrEqualTo(MAX_LISTED);
        assertThat(state.memberChunks()).isPositive();
        Set<String> members = new HashSet<>(state.absorbed().keySet());
        for (int chunk = 0; chunk < state.memberChunks(); chunk++) {
            ProfileState ids = states.get(ProfileState.membersKey(hot, chunk));
            if (ids != null) {
                members.addAll(ids.absorbed().keySet());
            }
        }
        assertThat(members).as("listed or recorded in a member chunk").hasSize(ANONYMOUS_IDS + 1);
        IMap<String, RawIdEntry> rawIds = member.getMap(RAW_IDS);
        long sealed = members.stream().filter(id -> !state.absorbed().containsKey(id))
                .map(id -> rawIds.get(GridMaps.projectKey(hot.project(), id)))
                .filter(entry -> entry.sealedFor(hot.profileId()) == entry.version()).count();
        assertThat(sealed).as("every unlisted id holds on its entry the version the profile has of it")
                .isEqualTo(ANONYMOUS_IDS + 1 - state.absorbed().size());
    }

    /** Anonymous ids {@code from} to {@code to}: a page, an identify as the tester, a track, each its own message. */
    private static void send(NodeFixture node, ProjectStore.Created project, String round, int from, int to)
            throws InterruptedException {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int a = from; a < to; a++) {
            String anon = "\"anonymousId\":\"device-" + a + "\"";
            String at = "\"timestamp\":\"2026-11-01T10:" + String.format("%02d", a % 60) + ":00Z\"";
            body.append(a == from ? "" : ",")
                    .append("{\"type\":\"page\",").append(anon).append(",\"name\":\"Home\",\"messageId\":\"")
                    .append(round).append("-p-").append(a).append("\",").append(at).append('}')
                    .append(",{\"type\":\"identify\",\"userId\":\"tester\",").append(anon).append(",\"messageId\":\"")
                    .append(round).append("-i-").append(a).append("\",").append(at)
                    .append(",\"traits\":{\"plan\":\"p").append(a).append("\"}}")
                    .append(",{\"type\":\"track\",").append(anon).append(",\"event\":\"Viewed\",\"messageId\":\"")
                    .append(round).append("-t-").append(a).append("\",").append(at).append('}');
        }
        node.postLogged("/v1/batch", project.writeKey(), body.append("]}").toString());
    }

    private static Job start(HazelcastInstance member, String name) {
        return member.getJet().newJob(StatePipeline.build(TrackingLogSource.build(100, null), FOLD, 0,
                new StatePipeline.Maps(RAW_IDS, STATE, PROFILES, "hot-ids", "hot-refusals")), new JobConfig().setName(name)
                .setProcessingGuarantee(ProcessingGuarantee.AT_LEAST_ONCE).setSnapshotIntervalMillis(500));
    }

    private static void awaitProfilesEqualRebuild(NodeFixture node, HazelcastInstance member, ProjectStore.Created project) {
        IMap<ProfileKey, ProfileState> states = member.getMap(STATE);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            Map<ProfileKey, Profile> expected = LogRebuild.profiles(node.logRecords().stream().map(LogRecord::event)
                    .filter(event -> event.project().equals(project.projectId())).toList(), FOLD);
            Map<ProfileKey, Profile> live = ReadersView.ofStates(states);
            assertThat(live).as(() -> ProfileDiff.describe(expected, live)).isEqualTo(expected);
        });
    }
}
