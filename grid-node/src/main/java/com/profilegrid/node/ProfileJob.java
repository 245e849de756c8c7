package com.profilegrid.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.profile.ProfilePipeline;
import com.profilegrid.pipelines.profile.TrackingLogSource;

/** Starts the profile pipeline once per cluster, under its stable name; every node asks, one job runs. */
public final class ProfileJob {

    public static final String IDS_MAP = GridMaps.PROFILE_IDS;
    public static final String REFUSALS_MAP = GridMaps.IDENTITY_REFUSALS;
    static final long SNAPSHOT_INTERVAL_MILLIS = 5_000;

    private ProfileJob() {
    }

    public static Job ensureRunning(HazelcastInstance member, FoldSettings settings) {
        JobConfig config = new JobConfig()
                .setName(ProfilePipeline.JOB_NAME)
                .setProcessingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                .setSnapshotIntervalMillis(SNAPSHOT_INTERVAL_MILLIS);
        return member.getJet().newJobIfAbsent(ProfilePipeline.build(TrackingLogSource.build(500), settings,
                MemberConfig.PROFILES_MAP, IDS_MAP, REFUSALS_MAP), config);
    }
}
