package com.profilegrid.pipelines.state;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.model.ProfileKeySerializer;
import com.profilegrid.model.ProfileSerializer;
import com.profilegrid.model.TrackingEventSerializer;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRecordSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The two steps of the profile state on a real two-member cluster: a raw id applies each log position once, and a
 * profile absorbs each raw-id version once, also after the owner of the entry dies, because its backup ran the same
 * step.
 */
class RawIdMapTest {

    private static final ProfileFold FOLD = new ProfileFold(FoldSettings.DEFAULTS);

    private final List<HazelcastInstance> members = new ArrayList<>();

    @AfterEach
    void stop() {
        members.forEach(HazelcastInstance::shutdown);
    }

    private void startTwoMembers() {
        members.addAll(startMembers("profile-state", 2));
    }

    /**
     * {@code count} members of a cluster of their own (named from {@code prefix}), on a port below the kernel's
     * ephemeral range (auto-incremented when taken).
     */
    static List<HazelcastInstance> startMembers(String prefix, int count) {
        String cluster = prefix + "-" + UUID.randomUUID();
        int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
        List<HazelcastInstance> started = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            started.add(Hazelcast.newHazelcastInstance(config(cluster, port)));
        }
        // every member knows every other and the owner of every partition, and no migration is under way
        await().atMost(Duration.ofSeconds(60)).until(() -> started.stream().allMatch(member ->
                member.getCluster().getMembers().size() == count
                        && member.getPartitionService().getPartitions().stream().allMatch(p -> p.getOwner() != null)
                        && member.getPartitionService().isClusterSafe()));
        return started;
    }

    static Config config(String cluster, int port) {
        Config config = new Config().setClusterName(cluster).setProperty("hazelcast.phone.home.enabled", "false")
                .setProperty("hazelcast.logging.type", "slf4j");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(true).getInterfaces().setEnabled(true)
                .addInterface("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port).addMember("127.0.0.1:" + (port + 1));
        config.getSerializationConfig().getCompactSerializationConfig()
                .addSerializer(new ProfileKeySerializer()).addSerializer(new ProfileSerializer())
                .addSerializer(new TrackingEventSerializer()).addSerializer(new LogRecordSerializer())
                .addSerializer(new RawIdEntrySerializer()).addSerializer(new OutcomeSerializer())
                .addSerializer(new ProfileStateSerializer());
        return config;
    }

    @Test
    void when_events_are_replayed_after_the_owner_dies_then_each_is_applied_once() {
        startTwoMembers();
        assertThat(members.get(1).getCluster().getMembers()).hasSize(2);
        HazelcastInstance first = members.get(0);
        IMap<String, RawIdEntry> rawIds = first.getMap("raw-ids");
        String key = GridMaps.projectKey("acme", "user:u1");

        for (int seq = 1; seq <= 5; seq++) {
            ApplyToRawId.Outcome outcome = rawIds.executeOnKey(key,
                    new ApplyToRawId(RawIdEntryTest.record(1, seq, "m" + seq), FOLD));
            assertThat(outcome.applied()).isTrue();
            assertThat(outcome.version()).isEqualTo(seq);
            assertThat(outcome.profileId()).isEqualTo("user:u1");
        }

        Partition partition = first.getPartitionService().getPartition(key);
        HazelcastInstance owner = members.stream()
                .filter(member -> member.getCluster().getLocalMember().equals(partition.getOwner())).findFirst().orElseThrow();
        owner.getLifecycleService().terminate();
        members.remove(owner);
        IMap<String, RawIdEntry> survivor = members.get(0).getMap("raw-ids");

        for (int seq = 1; seq <= 5; seq++) { // the job restarted from an older snapshot: the same events again
            ApplyToRawId.Outcome outcome = survivor.executeOnKey(key,
                    new ApplyToRawId(RawIdEntryTest.record(1, seq, "m" + seq), FOLD));
            assertThat(outcome.applied()).isFalse();
            assertThat(outcome.version()).isEqualTo(5);
        }
        assertThat(survivor.executeOnKey(key, new ApplyToRawId(RawIdEntryTest.record(1, 6, "m6"), FOLD))
                .applied()).isTrue();
        assertThat(survivor.get(key).partial().eventCounts()).containsEntry("Viewed", 6L);
    }

    @Test
    void when_a_profile_absorbs_versions_across_a_failover_then_each_is_folded_once() {
        startTwoMembers();
        ProfileKey key = new ProfileKey("acme", "user:u1");
        IMap<ProfileKey, ProfileState> profiles = members.get(0).getMap("profile-state");
        for (int version = 1; version <= 3; version++) {
            assertThat(profiles.executeOnKey(key, absorb(version)).step()).isEqualTo("APPLIED");
        }

        HazelcastInstance owner = members.stream().filter(member -> member.getCluster().getLocalMember()
                .equals(member.getPartitionService().getPartition(key).getOwner())).findFirst().orElseThrow();
        owner.getLifecycleService().terminate();
        members.remove(owner);
        IMap<ProfileKey, ProfileState> survivor = members.get(0).getMap("profile-state");

        assertThat(survivor.executeOnKey(key, absorb(3)).step()).isEqualTo("ALREADY_APPLIED");
        assertThat(survivor.executeOnKey(key, absorb(5)).step()).isEqualTo("GAP");
        assertThat(survivor.executeOnKey(key, absorb(4)).step()).isEqualTo("APPLIED");
        assertThat(survivor.get(key).profile().eventCounts()).containsEntry("Viewed", 4L);
        assertThat(survivor.get(key).absorbed()).containsEntry("user:u1", 4L);
    }

    @Test
    void when_a_batch_runs_then_each_key_takes_its_steps_in_order_until_a_gap_and_the_backups_took_them_too() {
        startTwoMembers();
        HazelcastInstance first = members.get(0);
        IMap<ProfileKey, ProfileState> profiles = first.getMap("profile-state");
        ProfileKey whole = new ProfileKey("acme", "user:u1");
        ProfileKey gapped = new ProfileKey("acme", "user:u2");
        java.util.Map<ProfileKey, List<com.hazelcast.map.EntryProcessor<ProfileKey, ProfileState, ?>>> steps =
                new java.util.HashMap<>();
        steps.put(whole, List.of(absorb(1), absorb(2), absorb(2), absorb(3)));
        steps.put(gapped, List.of(absorb("user:u2", 1), absorb("user:u2", 3), absorb("user:u2", 2)));

        java.util.Map<ProfileKey, KeySteps.Results> results = StatePipeline.runSteps(profiles, steps, Runnable::run,
                null, Run.NONE).join();

        KeySteps.Results ofWhole = results.get(whole);
        assertThat(ofWhole.ran()).isEqualTo(4);
        assertThat(List.of(ofWhole.<StepProfile.Stepped>get(0).step(), ofWhole.<StepProfile.Stepped>get(1).step(),
                ofWhole.<StepProfile.Stepped>get(2).step(), ofWhole.<StepProfile.Stepped>get(3).step()))
                .containsExactly("APPLIED", "APPLIED", "ALREADY_APPLIED", "APPLIED");
        assertThat(ofWhole.<StepProfile.Stepped>get(0).profile()).as("superseded by a later step").isNull();
        assertThat(ofWhole.<StepProfile.Stepped>get(3).profile().eventCounts()).containsEntry("Viewed", 3L);
        KeySteps.Results ofGapped = results.get(gapped);
        assertThat(ofGapped.ran()).as("the gap ends the key's run").isEqualTo(2);
        assertThat(ofGapped.<StepProfile.Stepped>get(1).gap()).isTrue();

        HazelcastInstance owner = members.stream().filter(member -> member.getCluster().getLocalMember()
                .equals(member.getPartitionService().getPartition(whole).getOwner())).findFirst().orElseThrow();
        owner.getLifecycleService().terminate();
        members.remove(owner);
        IMap<ProfileKey, ProfileState> survivor = members.get(0).getMap("profile-state");
        assertThat(survivor.get(whole).absorbed()).containsEntry("user:u1", 3L);
        assertThat(survivor.get(gapped).absorbed()).as("nothing after the gap ran").containsEntry("user:u2", 1L);
    }

    @Test
    void when_an_operation_of_a_stopped_run_lands_after_a_newer_run_began_then_it_is_refused_and_changes_nothing() {
        String cluster = "stopped-run-" + UUID.randomUUID();
        Config config = config(cluster, ThreadLocalRandom.current().nextInt(20_000, 32_000));
        config.getJetConfig().setEnabled(true);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        members.add(member);
        com.hazelcast.jet.pipeline.Pipeline endless = com.hazelcast.jet.pipeline.Pipeline.create();
        endless.readFrom(com.hazelcast.jet.pipeline.test.TestSources.itemStream(10)).withoutTimestamps()
                .writeTo(com.hazelcast.jet.pipeline.Sinks.noop());
        com.hazelcast.jet.Job job = member.getJet().newJob(endless);
        com.hazelcast.jet.impl.JobExecutionService executions = ((com.hazelcast.jet.impl.JetServiceBackend)
                ((com.hazelcast.instance.impl.HazelcastInstanceProxy) member).getOriginal().node.getNodeEngine()
                        .getService(com.hazelcast.jet.impl.JetServiceBackend.SERVICE_NAME)).getJobExecutionService();
        await().atMost(Duration.ofSeconds(30)).until(() -> executions.getExecutionIdForJobId(job.getId()) != null);
        long current = executions.getExecutionIdForJobId(job.getId());
        IMap<ProfileKey, ProfileState> profiles = member.getMap("profile-state");
        ProfileKey key = new ProfileKey("acme", "user:u1");

        // the job's current run, and operations sent outside a job, take their steps
        StatePipeline.runSteps(profiles, Map.of(key, List.of(absorb(1))), Runnable::run, null,
                new Run(job.getId(), current)).join();
        StatePipeline.runSteps(profiles, Map.of(key, List.of(absorb(2))), Runnable::run, null, Run.NONE).join();
        assertThat(profiles.get(key).absorbed()).containsEntry("user:u1", 2L);

        // a run of the same job that is not the member's current one has stopped: its operation is refused
        assertThatThrownBy(() -> StatePipeline.runSteps(profiles, Map.of(key, List.of(absorb(3))), Runnable::run,
                null, new Run(job.getId(), current + 1)).join()).hasRootCauseInstanceOf(Run.Stopped.class);
        assertThat(profiles.get(key).absorbed()).containsEntry("user:u1", 2L);
        assertThat(profiles.get(key).profile().eventCounts()).containsEntry("Viewed", 2L);

        // once the job runs again (a new execution), the run before it is the stopped one (a restart needs it
        // RUNNING: its execution id exists while it is still STARTING, and a loaded machine saw the restart refused)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> job.getStatus() == com.hazelcast.jet.core.JobStatus.RUNNING);
        job.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Long now = executions.getExecutionIdForJobId(job.getId());
            return now != null && now != current;
        });
        assertThatThrownBy(() -> StatePipeline.runSteps(profiles, Map.of(key, List.of(absorb(3))), Runnable::run,
                null, new Run(job.getId(), current)).join()).hasRootCauseInstanceOf(Run.Stopped.class);
        assertThat(profiles.get(key).absorbed()).containsEntry("user:u1", 2L);
        job.cancel();
        try {
            job.join();
        } catch (java.util.concurrent.CancellationException expected) {
            // cancelled, as asked
        }
    }

    @Test
    void when_an_entry_sealed_after_its_batch_read_it_is_missing_at_the_operation_then_the_seal_is_kept() {
        members.addAll(startMembers("sealed-read", 1));
        IMap<String, RawIdEntry> rawIds = members.get(0).getMap("raw-ids");
        String key = GridMaps.projectKey("acme", "user:u1");
        for (int seq = 1; seq <= 3; seq++) {
            rawIds.executeOnKey(key, new ApplyToRawId(RawIdEntryTest.record(1, seq, "m" + seq), FOLD));
        }
        RawIdEntry read = rawIds.get(key); // the raw-id stage's batch reads the entry ...
        // ... then the profile stage seals the id (its profile holds version 3 without listing it) ...
        assertThat(rawIds.executeOnKey(key, new SealRawId("raw-ids", "user:u1", Map.of(key, 3L)))).isTrue();
        // ... and the entry is evicted before the batch's operation reaches it (no store here: gone from memory)
        rawIds.evict(key);

        KeySteps<String, RawIdEntry> steps = new KeySteps<>(Map.of(key, List.of(
                new ApplyToRawId(RawIdEntryTest.record(1, 4, "m4"), FOLD))), Map.of(key, read), Run.NONE, "raw-ids");
        BackedUpWrites.submitToKeys(rawIds, java.util.Set.of(key), steps).join();

        RawIdEntry after = rawIds.get(key);
        assertThat(after.version()).isEqualTo(4);
        assertThat(after.sealedFor("user:u1")).as("the seal that landed after the read").isEqualTo(3);

        // a seal recorded under another map (another generation's raw ids) is not taken in
        IMap<String, RawIdEntry> other = members.get(0).getMap("raw-ids-g1");
        BackedUpWrites.submitToKeys(other, java.util.Set.of(key), new KeySteps<>(Map.of(key, List.of(
                new ApplyToRawId(RawIdEntryTest.record(1, 4, "m4"), FOLD))), Map.of(key, read), Run.NONE,
                "raw-ids-g1")).join();
        assertThat(other.get(key).sealedFor("user:u1")).isZero();
    }

    private static StepProfile absorb(String rawId, int version) {
        return StepProfile.absorb(rawId, version, 0, RawIdEntryTest.record(1, version, "m" + version).event(), FOLD);
    }

    private static StepProfile absorb(int version) {
        return StepProfile.absorb("user:u1", version, 0, RawIdEntryTest.record(1, version, "m" + version).event(), FOLD);
    }
}
