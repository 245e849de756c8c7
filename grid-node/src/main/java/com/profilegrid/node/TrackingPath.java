package com.profilegrid.node;

import com.profilegrid.node.ingest.Admission;
import com.profilegrid.node.ingest.IngestRoutes;
import com.profilegrid.node.ingest.Ingestor;
import com.profilegrid.node.ingest.TrackingMetrics;
import com.profilegrid.node.log.JdbcTrackingLog;
import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.node.spool.SpoolReplayer;
import com.profilegrid.node.store.Database;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The tracking path every node that takes tracking has, whatever else it runs: its own tracking-log shard, its spool
 * (where an event goes when the log is slow or down, acknowledged 202), and the replayer that moves the spool into the
 * log. An event is acknowledged once it is in one of the two.
 */
record TrackingPath(JdbcTrackingLog log, Spool spool, Ingestor ingestor, SpoolReplayer replayer) {

    private static final int LOG_BATCH = 2_000;
    private static final int LOG_BACKLOG = 50_000;
    private static final long SPOOL_SEGMENT_BYTES = 64L * 1024 * 1024;
    private static final Duration SPOOL_WAIT = Duration.ofMillis(500);

    /** Opens the path's parts into {@code resources}; call it only while holding the node's {@link NodeLock}. */
    static TrackingPath open(NodeSettings settings, Database database, Clock clock, Resources resources)
            throws IOException {
        JdbcTrackingLog log = resources.open(new JdbcTrackingLog(database, clock, settings.writerName(), LOG_BATCH,
                LOG_BACKLOG));
        Spool spool = resources.open(new Spool(settings.spoolDir(), settings.ingest().spoolMaxBytes(),
                SPOOL_SEGMENT_BYTES));
        Ingestor ingestor = new Ingestor(log, spool, settings.ingest().logWait(), SPOOL_WAIT);
        SpoolReplayer replayer = resources.open(new SpoolReplayer(spool, log, ingestor));
        return new TrackingPath(log, spool, ingestor, replayer);
    }

    /** The tracking endpoints over this path; {@code shedding} says why the node refuses tracking now, if it does. */
    IngestRoutes routes(NodeSettings settings, ProjectKeys keys, Clock clock, MeterRegistry registry,
                        Supplier<Optional<String>> shedding) {
        return new IngestRoutes(new Admission(settings.ingest().admissionLimits()), keys, ingestor, clock,
                new TrackingMetrics(registry), shedding);
    }
}
