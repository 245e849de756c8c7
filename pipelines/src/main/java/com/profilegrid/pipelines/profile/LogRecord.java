package com.profilegrid.pipelines.profile;

import com.profilegrid.model.TrackingEvent;

/** One committed event of the tracking log at its position (shard, seq). */
public record LogRecord(long shard, long seq, TrackingEvent event) {
}
