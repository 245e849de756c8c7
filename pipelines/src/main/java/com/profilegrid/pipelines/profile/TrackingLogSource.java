package com.profilegrid.pipelines.profile;

import com.hazelcast.jet.core.Processor;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;
import com.profilegrid.model.TrackingEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fault-tolerant streaming source over the tracking log. Each source processor owns the shards whose
 * number modulo the total parallelism is its index, reads each in seq order, and keeps a cursor per shard.
 * The cursors are its snapshot, so after a restart it resumes exactly where the last snapshot left off.
 */
public final class TrackingLogSource {

    private TrackingLogSource() {
    }

    /**
     * Reads through the member's {@link TrackingLogReader} found in its user context, {@code batchSize} records per
     * shard at a time: every project's events, or {@code project}'s only.
     */
    public static StreamSource<TrackingEvent> build(int batchSize, String project) {
        return SourceBuilder.stream("tracking-log", context -> new Reader(context, batchSize, project))
                .<TrackingEvent>fillBufferFn(Reader::fill)
                .createSnapshotFn(Reader::snapshot)
                .restoreSnapshotFn(Reader::restore)
                .distributed(1)
                .build();
    }

    /** The per-processor state of the source: the log, the shards it owns, and its cursors. */
    static final class Reader {
        private static final long IDLE_NANOS = 20_000_000L;
        private final TrackingLogReader log;
        private final int index;
        private final int parallelism;
        private final int batchSize;
        private final String project;
        private final HashMap<Long, Long> cursors = new HashMap<>();
        private long idleUntil;

        Reader(Processor.Context context, int batchSize, String project) {
            this.log = (TrackingLogReader) context.hazelcastInstance().getUserContext().get(TrackingLogReader.USER_CONTEXT_KEY);
            if (log == null) {
                throw new IllegalStateException("no tracking log in the member's user context under "
                        + TrackingLogReader.USER_CONTEXT_KEY);
            }
            this.index = context.globalProcessorIndex();
            this.parallelism = context.totalParallelism();
            this.batchSize = batchSize;
            this.project = project;
        }

        void fill(SourceBuilder.SourceBuffer<TrackingEvent> buffer) {
            if (System.nanoTime() - idleUntil < 0) {
                return;
            }
            int emitted = 0;
            for (long shard : log.shards()) {
                if (Math.floorMod(shard, parallelism) != index) {
                    continue;
                }
                List<LogRecord> records = log.read(shard, cursors.getOrDefault(shard, 0L), batchSize, project);
                for (LogRecord record : records) {
                    buffer.add(record.event());
                }
                if (!records.isEmpty()) {
                    cursors.put(shard, records.get(records.size() - 1).seq());
                    emitted += records.size();
                }
            }
            if (emitted == 0) {
                idleUntil = System.nanoTime() + IDLE_NANOS;
            }
        }

        Map<Long, Long> snapshot() {
            return new HashMap<>(cursors);
        }

        void restore(List<Map<Long, Long>> snapshots) {
            for (Map<Long, Long> snapshot : snapshots) {
                snapshot.forEach((shard, seq) -> {
                    if (Math.floorMod(shard, parallelism) == index) {
                        cursors.merge(shard, seq, Math::max);
                    }
                });
            }
        }
    }
}
