package com.profilegrid.pipelines.profile;

import com.profilegrid.model.TrackingEvent;

/**
 * One committed event of the tracking log at its position (shard, seq).
 *
 * @param replayed whether an earlier run of the job may have met it: its source read it before it first caught up with
 *                 the end of its shard, so it was in the log when this run began ({@link TrackingLogSource})
 */
public record LogRecord(long shard, long seq, TrackingEvent event, boolean replayed) {

    /** A record no earlier run met. */
    public LogRecord(long shard, long seq, TrackingEvent event) {
        this(shard, seq, event, false);
    }
}
