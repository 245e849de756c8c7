package com.profilegrid.node.rebuild;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.config.JobConfig;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.Sinks;
import com.hazelcast.jet.pipeline.test.TestSources;
import com.profilegrid.node.ProfileJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A rebuild's job that an error suspends is resumed from its snapshot (the same job) and the rebuild goes on; an
 * error that keeps coming back ends the rebuild, naming the error. A stand-in job, suspended on failure as profile
 * jobs are, fails as many times as a test asks.
 */
class RebuildJobWatchTest {

    /** How many more times the stand-in job fails. */
    private static final AtomicInteger FAILURES = new AtomicInteger();

    private TestHazelcastFactory factory;
    private HazelcastInstance member;

    @BeforeEach
    void startMember() {
        factory = new TestHazelcastFactory();
        Config config = new Config().setClusterName("rebuild-job-watch");
        config.getJetConfig().setEnabled(true);
        member = factory.newHazelcastInstance(config);
    }

    @AfterEach
    void stopMember() {
        factory.terminateAll();
    }

    @Test
    void when_an_error_suspends_the_rebuild_job_then_it_is_resumed_and_the_rebuild_goes_on() {
        FAILURES.set(2);
        Job job = standIn();
        RebuildJobWatch watch = new RebuildJobWatch(job, 5);
        for (int stop = 1; stop <= 2; stop++) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ProfileJob.stoppedOnError(job));
            assertThat(watch.check()).as("no progress right after a resume").isFalse();
            assertThat(watch.resumed()).isEqualTo(stop);
            assertThat(job.getStatus()).as("resumed before the check returns").isNotEqualTo(JobStatus.SUSPENDED);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> job.getStatus() == JobStatus.RUNNING);
        assertThat(watch.check()).isTrue();
        assertThat(member.getJet().getJobs()).extracting(Job::getId).containsExactly(job.getId());
    }

    @Test
    void when_the_error_keeps_coming_back_then_the_rebuild_gives_up_with_it() {
        FAILURES.set(Integer.MAX_VALUE);
        Job job = standIn();
        RebuildJobWatch watch = new RebuildJobWatch(job, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> ProfileJob.stoppedOnError(job));
        assertThat(watch.check()).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> ProfileJob.stoppedOnError(job));
        assertThatThrownBy(watch::check).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped 2 times").hasMessageContaining("poisoned for the test");
    }

    @Test
    void when_the_rebuild_job_runs_then_the_check_leaves_it_alone() {
        FAILURES.set(0);
        Job job = standIn();
        await().atMost(Duration.ofSeconds(30)).until(() -> job.getStatus() == JobStatus.RUNNING);
        RebuildJobWatch watch = new RebuildJobWatch(job, 5);
        assertThat(watch.check()).isTrue();
        assertThat(watch.resumed()).isZero();
    }

    private Job standIn() {
        Pipeline pipeline = Pipeline.create();
        pipeline.readFrom(TestSources.itemStream(50)).withoutTimestamps()
                .map(item -> {
                    if (FAILURES.get() > 0) {
                        FAILURES.decrementAndGet();
                        throw new IllegalStateException("poisoned for the test");
                    }
                    return item;
                })
                .writeTo(Sinks.noop());
        return member.getJet().newJob(pipeline, new JobConfig().setName("profilegrid-profiles-g1")
                .setSuspendOnFailure(true));
    }
}
