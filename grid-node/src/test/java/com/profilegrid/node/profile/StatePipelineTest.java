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
import com.profilegrid.pipelines.state.ApplyToRawId;
import com.profilegrid.pipelines.state.RawIdEntry;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The experimental state pipeline (docs/profile-state.md, steps 1 and 2; no identity moves yet): profiles equal the
 * rebuild from the log, also when an earlier job stopped between the two steps (the profile catches up from its raw
 * id), and a second job that reads the whole log again from its start changes nothing twice, because every raw id
 * remembers the positions it applied and every profile the versions it absorbed.
 */
class StatePipelineTest {

    private static final String RAW_IDS = "experimental-raw-ids";
    private static final String STATE = "experimental-profile-state";
    private static final String PROFILES = "experimental-profiles";

    @TempDir
    Path dir;

    @Test
    void when_the_log_is_read_again_from_its_start_then_no_event_is_applied_twice() throws Exception {
        try (NodeFixture node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(),
                IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("acme");
            node.node().stopProfileJob();
            HazelcastInstance member = node.node().member();
            send(node, project, "first", 10);
            // as if an earlier job had stopped between the two steps: some events applied to their raw ids only
            for (LogRecord record : node.logRecords().subList(0, 6)) {
                member.<String, RawIdEntry>getMap(RAW_IDS).executeOnKey(GridMaps.projectKey(record.event().project(),
                        "user:" + record.event().userId()), new ApplyToRawId(record, new ProfileFold(FoldSettings.DEFAULTS)));
            }
            Job job = start(member, "state-1");
            awaitProfilesEqualRebuild(node, member, project);

            job.cancel();
            send(node, project, "second", 10);
            Job again = start(member, "state-2"); // no snapshot: every event of the log comes again
            awaitProfilesEqualRebuild(node, member, project);
            assertThat(ReadersView.ofStates(member.getMap(STATE))).hasSize(4);
            again.cancel();
        }
    }

    private static void send(NodeFixture node, ProjectStore.Created project, String round, int batches)
            throws InterruptedException {
        for (int b = 0; b < batches; b++) {
            StringBuilder body = new StringBuilder("{\"batch\":[");
            for (int u = 0; u < 4; u++) {
                body.append(u == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u").append(u)
                        .append("\",\"event\":\"Viewed\",\"messageId\":\"").append(round).append('-').append(b)
                        .append('-').append(u).append("\",\"timestamp\":\"2026-11-01T1").append(b % 10)
                        .append(":00:00Z\",\"properties\":{\"n\":").append(b).append("}}");
            }
            node.postLogged("/v1/batch", project.writeKey(), body.append("]}").toString());
        }
    }

    private static Job start(HazelcastInstance member, String name) {
        return member.getJet().newJob(StatePipeline.build(TrackingLogSource.build(100, null),
                new ProfileFold(FoldSettings.DEFAULTS), 0, new StatePipeline.Maps(RAW_IDS, STATE, PROFILES,
                        "experimental-ids", "experimental-refusals")), new JobConfig().setName(name)
                .setProcessingGuarantee(ProcessingGuarantee.AT_LEAST_ONCE).setSnapshotIntervalMillis(500));
    }

    private static void awaitProfilesEqualRebuild(NodeFixture node, HazelcastInstance member, ProjectStore.Created project) {
        IMap<ProfileKey, ProfileState> states = member.getMap(STATE);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<ProfileKey, Profile> expected = LogRebuild.profiles(node.logRecords().stream().map(LogRecord::event)
                    .filter(event -> event.project().equals(project.projectId())).toList(),
                    new ProfileFold(FoldSettings.DEFAULTS));
            Map<ProfileKey, Profile> live = ReadersView.ofStates(states);
            assertThat(live).isEqualTo(expected);
        });
    }
}
