package com.profilegrid.node.log;

import com.profilegrid.pipelines.profile.LogRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the tracking log: a cursor per shard, so every committed event is seen exactly once and each
 * shard's events in their order. Not thread-safe: one tailer per reader.
 */
public final class LogTailer {

    private final TrackingLog log;
    private final int batchSize;
    private final Map<Long, Long> cursors = new HashMap<>();

    public LogTailer(TrackingLog log, int batchSize) {
        this.log = log;
        this.batchSize = batchSize;
    }

    /** Whatever was committed since the last poll (at most {@code batchSize} per shard). */
    public List<LogRecord> poll() {
        List<LogRecord> records = new ArrayList<>();
        for (long shard : log.shards()) {
            long after = cursors.getOrDefault(shard, 0L);
            List<LogRecord> batch = log.read(shard, after, batchSize);
            if (!batch.isEmpty()) {
                cursors.put(shard, batch.get(batch.size() - 1).seq());
                records.addAll(batch);
            }
        }
        return records;
    }
}
