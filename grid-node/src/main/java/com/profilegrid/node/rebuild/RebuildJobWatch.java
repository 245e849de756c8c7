package com.profilegrid.node.rebuild;

import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.profilegrid.node.ProfileJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a rebuild's job going through errors it can recover from. A profile job suspends on an error it cannot retry
 * in place, such as a write whose backup did not answer in time (an indeterminate operation, which the members are
 * configured to fail rather than guess): the node's job watchdog resumes the live jobs from their last snapshot, and
 * this does the same for the job of the generation a rebuild builds, which the watchdog leaves to its rebuild. Applied
 * positions make the replay from the snapshot skip what was already applied. An error that comes back every time
 * ends the rebuild after {@code resumes} resumes in a row without progress between them (a busy cluster may time out
 * a backup now and then over a long rebuild; that alone must not end it), with the job's last error as the reason.
 */
final class RebuildJobWatch {

    private static final Logger LOG = LoggerFactory.getLogger(RebuildJobWatch.class);

    private static final long RESUME_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    private final Job job;
    private final int resumes;
    private int resumed;

    RebuildJobWatch(Job job, int resumes) {
        this.job = job;
        this.resumes = resumes;
    }

    /**
     * Looks at the job once: resumes it if an error suspended it and resumes are left, and waits until it is no longer
     * suspended.
     *
     * @return whether the job may be making progress now (false right after a resume)
     * @throws IllegalStateException if the job failed, or an error suspended it once more than {@code resumes} allows
     */
    boolean check() {
        if (ProfileJob.stoppedOnError(job)) {
            String cause = job.getSuspensionCause().errorCause();
            if (resumed == resumes) {
                throw new IllegalStateException("the rebuild job stopped " + (resumed + 1) + " times on an error, the "
                        + "last time: " + cause);
            }
            resumed++;
            LOG.warn("The rebuild job {} stopped on an error; resuming it from its last snapshot ({} of {} resumes): {}",
                    job.getName(), resumed, resumes, cause);
            job.resume();
            awaitResumed();
            return false;
        }
        if (job.getStatus() == JobStatus.FAILED) {
            throw new IllegalStateException("the rebuild job stopped: " + job.getStatus());
        }
        return true;
    }

    /**
     * Waits, a little, for the resume to take: the job's status stays SUSPENDED for a moment after {@code resume()},
     * and the next check must not take that for another stop.
     */
    private void awaitResumed() {
        long until = System.nanoTime() + RESUME_WAIT_NANOS;
        while (job.getStatus() == JobStatus.SUSPENDED && System.nanoTime() - until < 0) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The job has read further since the last check: the resumes before count no more. */
    void progressed() {
        resumed = 0;
    }

    /** How many times in a row (without progress between) the job was resumed. */
    int resumed() {
        return resumed;
    }
}
