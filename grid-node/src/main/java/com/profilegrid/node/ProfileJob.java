package com.profilegrid.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.core.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.profile.ProfilePipeline;
import com.profilegrid.pipelines.profile.TrackingLogSource;

/** Starts the profile pipeline once per cluster, under its stable name; every node asks, one job runs. */
public final class ProfileJob {

    public static final String IDS_MAP = GridMaps.PROFILE_IDS;
    public static final String REFUSALS_MAP = GridMaps.IDENTITY_REFUSALS;
    static final long SNAPSHOT_INTERVAL_MILLIS = 5_000;
    private static final long WATCH_PERIOD_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ProfileJob.class);

    private ProfileJob() {
    }

    /**
     * Every node checks every few seconds that the job runs, and starts it again if it has failed (a new job
     * starts from the beginning of the log with empty state, and converges on the same profiles).
     */
    public static AutoCloseable watch(HazelcastInstance member, FoldSettings settings) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "profilegrid-job-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(() -> {
            try {
                if (member.getLifecycleService().isRunning()) {
                    Job job = member.getJet().getJob(Generation.active(member).jobName());
                    if (job == null || job.getStatus() == JobStatus.FAILED) {
                        LOG.warn("Profile job is {}; starting it again", job == null ? "missing" : "failed");
                        ensureRunning(member, settings);
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("Profile job check failed; will check again", e);
            }
        }, WATCH_PERIOD_SECONDS, WATCH_PERIOD_SECONDS, TimeUnit.SECONDS);
        return watchdog::shutdownNow;
    }

    /** Starts the job of the active generation unless it runs. */
    public static Job ensureRunning(HazelcastInstance member, FoldSettings settings) {
        return start(member, Generation.active(member), settings);
    }

    /** Starts the job of {@code generation} unless it runs: from the start of the log into that generation's maps. */
    public static Job start(HazelcastInstance member, Generation generation, FoldSettings settings) {
        JobConfig config = new JobConfig()
                .setName(generation.jobName())
                .setProcessingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                .setSnapshotIntervalMillis(SNAPSHOT_INTERVAL_MILLIS);
        return member.getJet().newJobIfAbsent(ProfilePipeline.build(TrackingLogSource.build(500), settings,
                generation.profilesMap(), generation.idsMap(), REFUSALS_MAP), config);
    }
}
