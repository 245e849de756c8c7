package com.profilegrid.node.log;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.profile.TrackingLogReader;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The tracking log: the source of truth. Append-only, de-duplicated on (project, messageId) for good, and
 * split into shards, one per writer, each read in its own order ({@code seq}). A reader that keeps a
 * cursor per shard never skips a committed event, however writers' commits interleave.
 *
 * <p>JDBC today; a partitioned log (Kafka) fits behind the same interface.
 */
public interface TrackingLog extends TrackingLogReader, AutoCloseable {

    /**
     * Appends events; the future completes once they are durably committed (duplicates of events already
     * in the log are skipped, which counts as committed). It fails, without side effects the caller must
     * undo, when the log is unreachable, slow to the point of backlog, or closed.
     */
    CompletableFuture<Void> append(List<TrackingEvent> events);

    @Override
    void close();
}
