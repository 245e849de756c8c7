package com.profilegrid.node;

import com.hazelcast.cluster.ClusterState;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.config.ProcessingGuarantee;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.core.metrics.Measurement;
import com.hazelcast.jet.core.metrics.MetricNames;
import com.hazelcast.jet.core.metrics.MetricTags;
import com.profilegrid.node.support.Partitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import com.profilegrid.model.Generation;
import com.profilegrid.node.rebuild.GenerationSwitch;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.state.StatePipeline;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.profile.TrackingLogSource;

/**
 * Starts the profile pipeline once per cluster and live generation, under the generation's stable job name; every
 * node asks, one job runs.
 */
public final class ProfileJob {

    public static final String IDS_MAP = GridMaps.PROFILE_IDS;
    public static final String REFUSALS_MAP = GridMaps.IDENTITY_REFUSALS;
    /**
     * A snapshot holds the source positions and little else (the state is in maps), so it is cheap; and the positions it
     * shows applied are what a rebuild's catch-up, the durable positions and a restart's replay go by: at 10 s a
     * rebuild switched 10 to 20 s after it had caught up.
     */
    static final long SNAPSHOT_INTERVAL_MILLIS = 1_000;
    /**
     * Whether a job that starts from nothing (a rebuild) reads what the log holds by visitor first (default) or in
     * position order ({@code -Dprofilegrid.rebuild.by-visitor=false}): the first costs the database a sort of the log's
     * keys and a held connection, and the job a third or less of the CPU per event (docs/profile-state.md).
     */
    static final String BY_VISITOR_PROPERTY = "profilegrid.rebuild.by-visitor";
    private static final long WATCH_PERIOD_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(ProfileJob.class);

    private ProfileJob() {
    }

    /**
     * Every node checks every few seconds that the jobs of the live generations run (the shared one, and each
     * project's own). A job an error suspended is resumed from its last snapshot (an operator's suspension is left
     * alone); a missing or failed one, found so by two checks in a row while the cluster is settled, is started again (a new job starts from the beginning of the log with empty
     * state, and converges on the same profiles).
     */
    public static AutoCloseable watch(HazelcastInstance member, FoldSettings settings) {
        ScheduledExecutorService watchdog = com.profilegrid.node.support.Daemons.scheduler("profilegrid-job-watchdog");
        // jobs seen missing or failed at the last check: a job is started again only when the next check, one period
        // later, still finds it so, with the cluster safe and active both times. While a member leaves, the job is
        // briefly gone from the view of the others (its master hands it over, or the job restarts on the members that
        // stay); starting it then would race the handover and could hold up the member that leaves.
        Set<String> suspect = new HashSet<>();
        watchdog.scheduleWithFixedDelay(() -> {
            try {
                if (!member.getLifecycleService().isRunning() || !settled(member)) {
                    suspect.clear();
                    return;
                }
                Set<String> missing = new HashSet<>();
                live(member).forEach((generation, project) -> {
                    Job job = member.getJet().getJob(generation.jobName());
                    if (stoppedOnError(job)) {
                        LOG.warn("Profile job {} stopped on an error ({}); resuming it from its last snapshot",
                                generation.jobName(), job.getSuspensionCause().errorCause());
                        job.resume();
                    } else if (job == null || job.getStatus() == JobStatus.FAILED) {
                        missing.add(generation.jobName());
                        if (suspect.contains(generation.jobName()) && settled(member)) {
                            LOG.warn("Profile job {} is {}; starting it again", generation.jobName(),
                                    job == null ? "missing" : "failed");
                            // no loading first (see loadStores): the maps were loaded when the node started, and a
                            // blocking call here could hold up a member that is shutting down
                            submit(member, generation, project, settings);
                        }
                    }
                });
                suspect.clear();
                suspect.addAll(missing);
                retireOrphans(member);
            } catch (RuntimeException e) {
                LOG.debug("Profile job check failed; will check again", e);
            }
        }, WATCH_PERIOD_SECONDS, WATCH_PERIOD_SECONDS, TimeUnit.SECONDS);
        return watchdog::shutdownNow;
    }

    /** Whether the cluster is active and no partition is migrating or short of a backup: no member is coming or going. */
    private static boolean settled(HazelcastInstance member) {
        return member.getCluster().getClusterState() == ClusterState.ACTIVE
                && Partitions.settled(member);
    }

    /**
     * Whether {@code job} was suspended by an error rather than by an operator: profile jobs suspend on failure, so
     * that they can go on from their last snapshot instead of starting over from the beginning of the log.
     */
    public static boolean stoppedOnError(Job job) {
        return job != null && job.getStatus() == JobStatus.SUSPENDED && job.getSuspensionCause().dueToError();
    }

    /**
     * The generations readers use, each with the project it holds ({@code null}: every project without a generation
     * of its own).
     */
    public static Map<Generation, String> live(HazelcastInstance member) {
        Map<Generation, String> live = new LinkedHashMap<>();
        live.put(Generation.active(member), null);
        Generation.ownGenerations(member).forEach((project, generation) -> live.put(generation, project));
        return live;
    }

    /**
     * Retires the generations that are neither live nor being built: a rebuild whose member died before it finished
     * leaves its job running and its maps filled. Jobs are listed before the rebuild lock is checked, so a rebuild
     * that starts meanwhile is not among them.
     */
    static void retireOrphans(HazelcastInstance member) {
        List<Job> jobs = member.getJet().getJobs();
        if (Generation.meta(member).isLocked(GenerationSwitch.REBUILD_LOCK)) {
            return;
        }
        Set<String> live = new HashSet<>();
        live(member).keySet().forEach(generation -> live.add(generation.jobName()));
        for (Job job : jobs) {
            Generation generation = Generation.ofJobName(job.getName());
            if (generation != null && !live.contains(job.getName()) && !job.getStatus().isTerminal()) {
                LOG.warn("Retiring {}: no reader uses it and no rebuild is building it", job.getName());
                retire(member, generation);
            }
        }
    }

    /** Stops the job of {@code generation} and drops its maps. */
    public static void retire(HazelcastInstance member, Generation generation) {
        stop(member, generation);
        StatePipeline.Maps maps = StatePipeline.Maps.of(generation, REFUSALS_MAP);
        member.getMap(maps.profiles()).destroy();
        member.getMap(maps.ids()).destroy();
        member.getMap(maps.rawIds()).destroy();
        member.getMap(maps.states()).destroy();
    }

    /** Cancels the job of {@code generation} unless it has ended; its maps stay. */
    public static void stop(HazelcastInstance member, Generation generation) {
        Job job = member.getJet().getJob(generation.jobName());
        if (job != null && !job.getStatus().isTerminal()) {
            job.cancel();
        }
    }

    /** Starts the jobs of the live generations unless they run. */
    public static void ensureRunning(HazelcastInstance member, FoldSettings settings) {
        live(member).forEach((generation, project) -> start(member, generation, project, settings));
    }

    /**
     * Events a profile job's source has read from the log, over all members (Jet collects metrics every few
     * seconds, {@code hazelcast.metrics.collection.frequency}, so this trails a little).
     */
    public static long eventsRead(Job job) {
        long read = 0;
        for (Measurement measurement : job.getMetrics().get(MetricNames.EMITTED_COUNT)) {
            // the source feeds one stage: count its first outgoing edge only
            if (StatePipeline.SOURCE_STAGE.equals(measurement.tag(MetricTags.VERTEX))
                    && "0".equals(measurement.tag(MetricTags.ORDINAL))) {
                read += measurement.value();
            }
        }
        return read;
    }

    /**
     * Starts the job of {@code generation} unless it runs: from the start of the log into that generation's maps,
     * for every project, or for {@code project} alone.
     */
    public static Job start(HazelcastInstance member, Generation generation, String project, FoldSettings settings) {
        loadStores(member, StatePipeline.Maps.of(generation, REFUSALS_MAP));
        Job running = member.getJet().getJob(generation.jobName());
        if (running != null && running.getStatus() != JobStatus.FAILED && running.getStatus() != JobStatus.COMPLETED) {
            // the usual case for every member but the first: asking again would only race the first's submission
            return running;
        }
        return submit(member, generation, project, settings);
    }

    private static Job submit(HazelcastInstance member, Generation generation, String project, FoldSettings settings) {
        JobConfig config = new JobConfig()
                .setName(generation.jobName())
                .setProcessingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                .setSnapshotIntervalMillis(SNAPSHOT_INTERVAL_MILLIS)
                .setSuspendOnFailure(true);
        boolean byVisitor = !"false".equalsIgnoreCase(System.getProperty(BY_VISITOR_PROPERTY));
        return member.getJet().newJobIfAbsent(StatePipeline.build(TrackingLogSource.build(500, project, byVisitor),
                new ProfileFold(settings), generation.number(), StatePipeline.Maps.of(generation, REFUSALS_MAP)), config);
    }

    /**
     * Finishes the initial load of the maps backed by a database table before anything writes to them. The state and
     * readers' loaders preload no keys (the dead letters and identity refusals load whole), but Hazelcast runs its
     * load protocol on the first touch of any such map: every partition
     * waits for a "loaded" message, and one sent while that partition migrates is lost. Its backup replica then stays
     * "still loading" and refuses every backup, so every change to that partition fails as indeterminate (the job
     * restarts and fails again) until the member restarts. Loading first, before the job runs and usually before
     * other members join, keeps that race out of the way of the job: a migration copies the loaded state. Where a
     * join races the first touch all the same (nodes started together), {@code LoadStatusRepair} marks the replicas
     * left waiting.
     */
    private static void loadStores(HazelcastInstance member, StatePipeline.Maps maps) {
        for (String name : List.of(maps.rawIds(), maps.states(), maps.profiles(), maps.ids(), maps.refusals(),
                DeadLetter.MAP)) {
            member.getMap(name).size();
        }
    }
}
