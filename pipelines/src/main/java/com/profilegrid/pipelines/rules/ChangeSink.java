package com.profilegrid.pipelines.rules;

import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.SinkBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * The sink of the profile job's changes: hands each batch to the member's {@link ChangeLog}, which records them before
 * the batch counts as written (at least once; the log's ids make a repeat harmless). A member without a change log (a
 * test's bare cluster) drops them. Its processors record concurrently; nothing they write depends on their order.
 */
public final class ChangeSink {

    private ChangeSink() {
    }

    public static Sink<ChangeLog.ProfileChanges> build(int generation) {
        return SinkBuilder.sinkBuilder("label changes and firings", context -> new Batch(ChangeLog.of(
                        context.hazelcastInstance()), generation))
                .<ChangeLog.ProfileChanges>receiveFn(Batch::add)
                .flushFn(Batch::flush)
                // as many as the stages before it: a batch waits for its transaction's commit (the database's disk
                // flush), and with one processor per member that wait bounded the whole pipeline under rules
                .preferredLocalParallelism(com.profilegrid.pipelines.profile.TrackingLogSource.PROCESSORS_PER_MEMBER)
                .build();
    }

    private static final class Batch {
        private final ChangeLog log;
        private final int generation;
        private final List<ChangeLog.ProfileChanges> pending = new ArrayList<>();

        Batch(ChangeLog log, int generation) {
            this.log = log;
            this.generation = generation;
        }

        void add(ChangeLog.ProfileChanges changes) {
            if (log != null) {
                pending.add(changes);
            }
        }

        void flush() {
            if (!pending.isEmpty()) {
                log.record(generation, List.copyOf(pending));
                pending.clear();
            }
        }
    }
}
