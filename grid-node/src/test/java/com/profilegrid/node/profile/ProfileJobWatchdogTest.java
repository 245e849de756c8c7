package com.profilegrid.node.profile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import com.profilegrid.model.Generation;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ProfileJob;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.pipelines.fold.FoldSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The job watchdog resumes a profile job that an error suspended, from its last snapshot (the same job, not a new one
 * starting over from the beginning of the log), and leaves alone a job an operator suspended. A stand-in pipeline
 * under the live job's name fails on demand.
 */
class ProfileJobWatchdogTest {

    private static final AtomicBoolean FAILING = new AtomicBoolean();

    @TempDir
    Path dir;

    private NodeFixture node;
    private HazelcastInstance member;
    private String name;

    @BeforeEach
    void startNodeWithoutItsWatch() throws Exception {
        node = NodeFixture.start(dir, TestDatabases.H2.fresh(dir), TestClusters.uniqueClusterName(), IngestSettings.DEFAULTS);
        member = node.node().member();
        name = Generation.active(member).jobName();
        node.node().stopProfileJob();
        await().atMost(Duration.ofSeconds(30)).until(() -> member.getJet().getJob(name).getStatus().isTerminal());
    }

    @AfterEach
    void stopNode() {
        node.close();
    }

    @Test
    void when_an_error_suspends_the_profile_job_then_the_watchdog_resumes_the_same_job() throws Exception {
        FAILING.set(true);
        Job job = member.getJet().newJob(standIn(), new JobConfig().setName(name).setSuspendOnFailure(true));
        await().atMost(Duration.ofSeconds(30)).until(() -> ProfileJob.stoppedOnError(job));
        FAILING.set(false);

        try (AutoCloseable watch = ProfileJob.watch(member, FoldSettings.DEFAULTS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> job.getStatus() == JobStatus.RUNNING);
            assertThat(member.getJet().getJob(name).getId()).isEqualTo(job.getId());
        }
    }

    @Test
    void when_an_operator_suspends_the_profile_job_then_the_watchdog_leaves_it_suspended() throws Exception {
        FAILING.set(false);
        Job job = member.getJet().newJob(standIn(), new JobConfig().setName(name).setSuspendOnFailure(true));
        await().atMost(Duration.ofSeconds(30)).until(() -> job.getStatus() == JobStatus.RUNNING);
        job.suspend();
        await().atMost(Duration.ofSeconds(30)).until(() -> job.getStatus() == JobStatus.SUSPENDED);

        try (AutoCloseable watch = ProfileJob.watch(member, FoldSettings.DEFAULTS)) {
            Thread.sleep(7_000); // more than one round of the watchdog
            assertThat(job.getStatus()).isEqualTo(JobStatus.SUSPENDED);
            assertThat(member.getJet().getJob(name).getId()).isEqualTo(job.getId());
        }
    }

    @Test
    void when_the_profile_job_has_ended_then_the_watchdog_starts_it_again_once_a_second_check_finds_it_so() throws Exception {
        Job cancelled = member.getJet().getJob(name);
        assertThat(cancelled.getStatus()).isEqualTo(JobStatus.FAILED);

        try (AutoCloseable watch = ProfileJob.watch(member, FoldSettings.DEFAULTS)) {
            Thread.sleep(6_000); // one round of the watchdog: it has seen the job gone once, not twice
            assertThat(member.getJet().getJob(name).getId()).as("not started again after one check").isEqualTo(cancelled.getId());
            await().atMost(Duration.ofSeconds(30)).until(() -> member.getJet().getJob(name).getId() != cancelled.getId()
                    && member.getJet().getJob(name).getStatus() == JobStatus.RUNNING);
        }
    }

    private static Pipeline standIn() {
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(TestSources.itemStream(50)).withoutTimestamps()
                .map(item -> {
                    if (FAILING.get()) {
                        throw new IllegalStateException("poisoned for the test");
                    }
                    return item;
                })
                .writeTo(Sinks.noop());
        return pipeline;
    }
}
