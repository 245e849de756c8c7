package com.profilegrid.node.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.map.IMap;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.profile.LogRebuild;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.TrackingLogSource;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An event the pipeline cannot fold (a fold bug on one event, an old log row ingest would refuse today) is
 * dead-lettered with its log position and reason, listed by the admin API, and every other event is folded: the
 * profiles equal the rebuild of the log without those two, and the job keeps running.
 */
class DeadLetterTest {

    private static final String POISON = "poison-7";

    /** The ordinary fold, except that it throws on one chosen event, as a bug would. */
    static final class PoisonFold extends ProfileFold {
        PoisonFold() {
            super(FoldSettings.DEFAULTS);
        }

        @Override
        public Profile apply(Profile profile, TrackingEvent event) {
            if (event.messageId().equals(POISON)) {
                throw new IllegalStateException("a bug that this one event meets");
            }
            return super.apply(profile, event);
        }
    }

    @TempDir
    Path dir;

    @Test
    void when_the_fold_fails_on_one_event_then_it_is_dead_lettered_and_the_rest_is_folded() throws Exception {
        Database.Settings db = TestDatabases.H2.fresh(dir);
        Map<String, String> firstSeen = new HashMap<>();
        try (NodeFixture node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            ProjectStore.Created project = node.createProject("acme");
            node.node().stopProfileJob();
            for (int i = 0; i < 15; i++) {
                String body = "{\"batch\":["
                        + "{\"type\":\"track\",\"userId\":\"u" + (i % 4) + "\",\"event\":\"Viewed\",\"messageId\":\"poison-" + i + "\"},"
                        + "{\"type\":\"identify\",\"userId\":\"u" + (i % 4) + "\",\"anonymousId\":\"a" + i + "\","
                        + "\"traits\":{\"step\":" + i + "},\"messageId\":\"id-" + i + "\"}]}";
                node.postLogged("/v1/batch", project.writeKey(), body);
            }
            // a row written before ingest refused such ids
            Instant now = Instant.now();
            node.node().trackingLog().append(List.of(new TrackingEvent(project.projectId(), "old-row", EventType.TRACK,
                    "Viewed", null, "u".repeat(253), null, null, now, now, "{}", "{}", "{}", "{}"))).get();

            Job job = node.node().member().getJet().newJob(StatePipeline.build(TrackingLogSource.build(500, null),
                    new PoisonFold(), 0, StatePipeline.Maps.of(Generation.active(node.node().member()), ProfileJob.REFUSALS_MAP)),
                    new JobConfig().setName("dead-letter-test").setProcessingGuarantee(ProcessingGuarantee.EXACTLY_ONCE));

            List<LogRecord> log = node.logRecords();
            Set<String> dead = Set.of(POISON, "old-row");
            Map<ProfileKey, Profile> expected = LogRebuild.profiles(log.stream().map(LogRecord::event)
                    .filter(event -> !dead.contains(event.messageId())).toList(), new ProfileFold(FoldSettings.DEFAULTS));
            IMap<ProfileKey, Profile> profiles = node.node().profiles();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<ProfileKey, Profile> live = ReadersView.profiles(profiles);
                assertThat(live).isEqualTo(expected);
            });
            assertThat(expected.get(new ProfileKey(project.projectId(), "user:u3")).eventCounts())
                    .containsEntry("Viewed", 2L); // u3 sent poison-3, -7 and -11; -7 is the one left out

            JsonNode letters = deadLetters(node);
            assertThat(letters).hasSize(2);
            for (JsonNode letter : letters) {
                LogRecord row = log.stream().filter(r -> r.event().messageId().equals(letter.get("messageId").asText()))
                        .findFirst().orElseThrow();
                assertThat(letter.get("project").asText()).isEqualTo(project.projectId());
                assertThat(letter.get("shard").asLong()).isEqualTo(row.shard());
                assertThat(letter.get("seq").asLong()).isEqualTo(row.seq());
                assertThat(letter.get("firstSeen").isNull()).isFalse();
                assertThat(letter.get("reason").asText()).contains(row.event().messageId().equals(POISON)
                        ? "a bug that this one event meets" : "userId is longer than 250");
                firstSeen.put(letter.get("messageId").asText(), letter.get("firstSeen").asText());
            }
            assertThat(job.getStatus()).isEqualTo(JobStatus.RUNNING);
        }

        // a full restart: the letters are still listed, as first seen (the store keeps them in the database)
        try (NodeFixture node = NodeFixture.start(dir, db, TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS)) {
            JsonNode letters = deadLetters(node);
            Map<String, String> listed = new HashMap<>();
            letters.forEach(letter -> listed.put(letter.get("messageId").asText(), letter.get("firstSeen").asText()));
            assertThat(listed).isEqualTo(firstSeen);
        }
    }

    private static JsonNode deadLetters(NodeFixture node) {
        return NodeFixture.json(node.send(HttpRequest.newBuilder(node.uri("/admin/dead-letters"))
                .header("Authorization", "Bearer test-admin-token").GET().build()).body());
    }
}
