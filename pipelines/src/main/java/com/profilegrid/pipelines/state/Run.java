package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.core.ProcessorSupplier;
import com.hazelcast.jet.impl.JetServiceBackend;

import java.io.Serializable;

/**
 * The run of the profile job (a Jet execution) whose batch sent a {@link KeySteps} operation. Jet starts a job's next
 * run only once the one before has ended on every member, but operations a run had sent keep going and can land late,
 * beside the run that replaced it (design, step 2). Such an operation is refused where it lands once the member runs
 * a newer run of the job: a key whose entry it finds missing (evicted since its batch read it) would otherwise take what
 * that read found, which the newer run may have changed since; a refused operation changes nothing, and its run has
 * stopped anyway. A member that no run of the job has started on (one that joined since) cannot tell, and lets it run.
 *
 * @param job       the Jet job's id ({@code 0}: not sent by a job, never refused)
 * @param execution the id of the job's execution that sent it
 */
public record Run(long job, long execution) implements Serializable {

    /** Operations sent outside a job (tests), never refused. */
    public static final Run NONE = new Run(0, 0);

    public static Run of(ProcessorSupplier.Context context) {
        return new Run(context.jobId(), context.executionId());
    }

    /** Whether {@code member} runs another execution of the job now: this run's operations come late. */
    public boolean stoppedOn(HazelcastInstance member) {
        if (job == 0 || member == null) {
            return false;
        }
        com.hazelcast.spi.impl.NodeEngine engine = MemberNode.engineOf(member);
        if (engine == null) {
            return false;
        }
        JetServiceBackend jet = engine.getService(JetServiceBackend.SERVICE_NAME);
        Long current = jet.getJobExecutionService().getExecutionIdForJobId(job);
        return current != null && current != execution;
    }

    /** Thrown by an operation of a run that has stopped (see {@link Run}). */
    public static final class Stopped extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Stopped(Run run) {
            super("an operation of a stopped run of the profile job (execution " + Long.toHexString(run.execution)
                    + ") landed after a newer run began: refused");
        }
    }
}
