package com.profilegrid.pipelines.state;

import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.SinkBuilder;
import com.profilegrid.pipelines.profile.DurableProgress;
import com.profilegrid.pipelines.profile.LinkSeed;

import java.util.ArrayList;
import java.util.List;

/**
 * Records the links the identity graphs follow in the member's {@link DurableProgress}, so that a job starting from
 * durable positions can give its graphs the links of the events before them. Written at least once (each batch, and
 * before each snapshot completes); a pair of ids keeps its earliest link, so writing one again changes nothing.
 * Without a durable progress in the member's user context it records nothing.
 */
final class LinkRecorder {

    private static final int ATTEMPTS = 20;
    private final DurableProgress progress;
    private final List<LinkSeed> pending = new ArrayList<>();

    private LinkRecorder(DurableProgress progress) {
        this.progress = progress;
    }

    static Sink<LinkSeed> sink() {
        return SinkBuilder.sinkBuilder("identity links", context -> new LinkRecorder((DurableProgress)
                        context.hazelcastInstance().getUserContext().get(DurableProgress.USER_CONTEXT_KEY)))
                .<LinkSeed>receiveFn(LinkRecorder::add)
                .flushFn(LinkRecorder::flush)
                .build();
    }

    private void add(LinkSeed link) {
        if (progress != null) {
            pending.add(link);
        }
    }

    /**
     * Records what was received, before the snapshot completes (a checkpoint may store positions past these links
     * once it has). While the database does not answer it tries again every second, for a while: the job then fails
     * and resumes from its snapshot, rather than hold up a member that stops.
     */
    private void flush() throws InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                progress.saveLinks(List.copyOf(pending));
                pending.clear();
                return;
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(1_000);
            }
        }
    }
}
