package com.profilegrid.pipelines.profile;

import com.hazelcast.jet.core.Processor;
import com.hazelcast.logging.ILogger;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;

import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fault-tolerant streaming source over the tracking log. Each source processor owns the shards whose
 * number modulo the total parallelism is its index, reads each in seq order, and keeps a cursor per shard.
 * The cursors are its snapshot, so after a restart it resumes exactly where the last snapshot left off.
 *
 * <p>A job that starts without a snapshot starts from the member's {@link DurableProgress} when it has positions for
 * the job: each processor reads its shards after those positions. At each snapshot a processor tells the durable
 * progress the cursors of the snapshot before (a snapshot begins only after the one before it has passed every stage,
 * so the events before those cursors are applied).
 *
 * <p>With nothing to read it asks the log again after 20 ms, or at once when this member's own writer commits to a
 * shard it reads (so on one node an event reaches the pipeline without waiting for a poll). It reads the list of
 * shards once a second, and stops reading a shard once its writer closed it and it has read it to the end, so the
 * shards of nodes long gone cost nothing. When the log cannot be read (its database is down), it says so once and
 * tries again every second from the same cursors: the job keeps its state instead of failing and starting over.
 * While its job is {@linkplain DurableProgress#held held} (a rebuild switching readers away from its generation), it
 * reads nothing and reports where it stopped.
 *
 * <p>A job that starts with neither snapshot nor durable positions (a rebuild, or a first start on a log that holds
 * events) first reads what its shards hold at that moment in order of visitor ({@link SortedRead}), each shard up to
 * its last position then, and reads on in position order from those positions after. Per raw id, that order keeps
 * each shard's events in log order, which is all the steps need (a replay skips what a raw id applied); between
 * raw ids it is one of the orders several shards may give anyway. Until that pass ends the processor reports no
 * durable positions for its shards, and its snapshot holds, per shard, the pass's end and the last key it gave.
 */
public final class TrackingLogSource {

    /**
     * Source processors per member. The profile job preserves order, so every stage runs as many processors per member
     * as its source: with one, each map step was a single processor working through one batch at a time.
     */
    public static final int PROCESSORS_PER_MEMBER = 2;

    private TrackingLogSource() {
    }

    /**
     * Reads through the member's {@link TrackingLogReader} found in its user context, {@code batchSize} records per
     * shard at a time: every project's events, or {@code project}'s only.
     */
    public static StreamSource<LogRecord> build(int batchSize, String project) {
        return build(batchSize, project, true);
    }

    /**
     * As {@link #build(int, String)}; with {@code byVisitorFirst} false a job starting from nothing reads the log in
     * position order from its beginning.
     */
    public static StreamSource<LogRecord> build(int batchSize, String project, boolean byVisitorFirst) {
        return SourceBuilder.stream("tracking-log", context -> new Reader(context, batchSize, project, byVisitorFirst))
                .<LogRecord>fillBufferFn(Reader::fill)
                .createSnapshotFn(Reader::snapshot)
                .restoreSnapshotFn(Reader::restore)
                .destroyFn(Reader::closePass)
                .distributed(PROCESSORS_PER_MEMBER)
                .build();
    }

    /**
     * A processor's snapshot: its cursors; for shards still in the pass by visitor, the pass's end and the last key it
     * gave there.
     */
    record Saved(Map<Long, Long> cursors, Map<Long, Long> passEnds, Map<Long, SortedRead.Key> passAfter)
            implements Serializable {
        Saved(Map<Long, Long> cursors) {
            this(cursors, Map.of(), Map.of());
        }
    }

    /** The per-processor state of the source: the log, the shards it owns, and its cursors. */
    static final class Reader {
        /** With nothing to read, wait this long before asking the log again (unless this member's writer commits). */
        private static final long IDLE_NANOS = 20_000_000L;
        /** How often the list of shards is read again (a new node's shard is found within this). */
        private static final long SHARDS_REFRESH_NANOS = 1_000_000_000L;
        /** After a failed read, wait this long before the next attempt. */
        private static final long FAILURE_BACKOFF_NANOS = 1_000_000_000L;
        private final TrackingLogReader log;
        private final int index;
        private final int parallelism;
        private final int batchSize;
        private final String project;
        private final HashMap<Long, Long> cursors = new HashMap<>();
        /** Closed shards read to their end: never read again (not snapshotted; found again after a restore). */
        private final Set<Long> finished = new HashSet<>();
        /**
         * Shards this processor has read to their end once since it was made: what it reads of a shard before that
         * was in the log when this run began, so an earlier run may have met it ({@link LogRecord#replayed}).
         */
        private final Set<Long> caughtUp = new HashSet<>();
        private List<TrackingLogReader.Shard> shards = List.of();
        private long shardsReadAt;
        private boolean shardsRead;
        private long idleUntil;
        private long commitsSeen = -1;
        private boolean failing;
        private final ILogger logger;
        /** Whether this processor reads the shard of this member's own writer, so its commits wake it. */
        private final boolean ownsLocalShard;
        /** The member's durable progress, or {@code null}: then a job without a snapshot reads from the beginning. */
        private final DurableProgress progress;
        private final String job;
        /** This processor's shards' durable positions, read when it was made. */
        private final Map<Long, Long> durable = new HashMap<>();
        /** Whether the job has durable positions (in any shard). */
        private boolean fromDurable;
        private boolean started;
        private boolean restored;
        /** When a processor of this member last logged a restore (nanos). */
        private static final java.util.concurrent.atomic.AtomicLong LAST_RESTORE_LOG =
                new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 10_000_000_000L);
        /** The cursors of the last snapshot: applied once the next snapshot begins. */
        private Map<Long, Long> lastSaved;
        /** Whether a job starting from nothing reads by visitor first. */
        private final boolean byVisitorFirst;
        /** Shards in the pass by visitor, and where the pass ends in each (empty: no pass, or it is over). */
        private final Map<Long, Long> passEnds = new HashMap<>();
        /** Per shard in the pass, the key of the last record the pass gave there. */
        private final Map<Long, SortedRead.Key> passAfter = new HashMap<>();
        /** The pass's open read, or {@code null}. */
        private SortedRead pass;

        Reader(Processor.Context context, int batchSize, String project, boolean byVisitorFirst) {
            this(memberLog(context), context.globalProcessorIndex(), context.totalParallelism(), batchSize, project,
                    // under this class's name, not the Jet processor's: the node keeps Hazelcast's and Jet's own
                    // loggers at WARN, and where the job starts from is part of the node's story
                    // (the member's logging service, which logs as the member is configured to: the static
                    // Logger would follow whichever logging type the JVM met first)
                    context.hazelcastInstance().getLoggingService().getLogger(TrackingLogSource.class),
                    DurableProgress.of(context.hazelcastInstance()), context.jobConfig().getName(), byVisitorFirst);
        }

        Reader(TrackingLogReader log, int index, int parallelism, int batchSize, String project, ILogger logger) {
            this(log, index, parallelism, batchSize, project, logger, null, null, false);
        }

        Reader(TrackingLogReader log, int index, int parallelism, int batchSize, String project, ILogger logger,
               DurableProgress progress, String job) {
            this(log, index, parallelism, batchSize, project, logger, progress, job, true);
        }

        Reader(TrackingLogReader log, int index, int parallelism, int batchSize, String project, ILogger logger,
               DurableProgress progress, String job, boolean byVisitorFirst) {
            this.byVisitorFirst = byVisitorFirst;
            this.progress = job == null ? null : progress;
            this.job = job;
            if (this.progress != null) {
                Map<Long, Long> positions = this.progress.positions(job);
                fromDurable = !positions.isEmpty();
                positions.forEach((shard, seq) -> {
                    if (owns(shard, index, parallelism)) {
                        durable.put(shard, seq);
                    }
                });
            }
            this.log = log;
            this.logger = logger;
            this.index = index;
            this.parallelism = parallelism;
            this.batchSize = batchSize;
            this.project = project;
            this.ownsLocalShard = log.localShard() >= 0 && owns(log.localShard());
        }

        /** Whether the processor {@code index} of {@code parallelism} reads {@code shard}: each shard has one reader. */
        private static boolean owns(long shard, int index, int parallelism) {
            return Math.floorMod(shard, parallelism) == index;
        }

        private boolean owns(long shard) {
            return owns(shard, index, parallelism);
        }

        private static TrackingLogReader memberLog(Processor.Context context) {
            TrackingLogReader log = (TrackingLogReader) context.hazelcastInstance().getUserContext()
                    .get(TrackingLogReader.USER_CONTEXT_KEY);
            if (log == null) {
                throw new IllegalStateException("no tracking log in the member's user context under "
                        + TrackingLogReader.USER_CONTEXT_KEY);
            }
            return log;
        }

        void fill(SourceBuilder.SourceBuffer<LogRecord> buffer) {
            if (!started) {
                started = true;
                if (!restored && fromDurable) {
                    startFromDurablePositions();
                } else if (!restored && byVisitorFirst) {
                    startByVisitor();
                }
            }
            if (progress != null && progress.held(job)) {
                // a rebuild switches readers away from this job's generation: read nothing more, say where it stopped
                // (a shard still in the pass by visitor, at its end: nothing past it was read)
                Map<Long, Long> at = new HashMap<>(cursors);
                at.putAll(passEnds);
                progress.holding(job, index, parallelism, at);
                return;
            }
            long now = System.nanoTime();
            long commits = ownsLocalShard ? log.localCommits() : commitsSeen;
            if (now - idleUntil < 0 && (commits == commitsSeen || failing)) {
                return;
            }
            commitsSeen = commits;
            try {
                if (passEnds.isEmpty()) {
                    read(buffer, now);
                } else {
                    readPass(buffer);
                }
                if (failing) {
                    logger.info("The tracking log answers again; reading on from where the profile pipeline stood");
                    failing = false;
                }
            } catch (RuntimeException e) {
                // the database is down or slow: wait and read again from the same cursors, rather than fail the job
                // (a failed job starts over from the beginning of the log)
                if (!failing) {
                    logger.warning("Cannot read the tracking log; trying again every second: " + e);
                    failing = true;
                }
                idleUntil = now + FAILURE_BACKOFF_NANOS;
                closePass(); // opened again from where it gave its last record
            }
        }

        /** Begins the pass by visitor over what this processor's shards hold now, if the log can read that way. */
        private void startByVisitor() {
            Map<Long, Long> ends;
            try {
                ends = log.lastPositions(project);
            } catch (RuntimeException e) {
                logger.warning("Cannot read where the tracking log ends; reading it in position order: " + e);
                return;
            }
            if (ends == null) {
                return;
            }
            ends.forEach((shard, seq) -> {
                if (owns(shard) && seq > 0) {
                    passEnds.put(shard, seq);
                }
            });
            if (!passEnds.isEmpty()) {
                logger.info("Profile job " + job + " starts from nothing: its source " + index + " reads what shards "
                        + passEnds.keySet() + " hold by visitor, then reads on in position order");
            }
        }

        private void readPass(SourceBuilder.SourceBuffer<LogRecord> buffer) {
            if (pass == null) {
                pass = log.readSorted(Map.copyOf(passEnds), Map.copyOf(passAfter), project);
            }
            List<LogRecord> records = pass.next(batchSize);
            for (LogRecord record : records) {
                // all of it was in the log when this run began: an earlier run may have met it
                buffer.add(new LogRecord(record.shard(), record.seq(), record.event(), true));
                passAfter.put(record.shard(), SortedRead.Key.of(record));
            }
            if (records.size() < batchSize) {
                closePass();
                cursors.putAll(passEnds); // each shard read to its end: on in position order from there
                passEnds.clear();
                passAfter.clear();
            }
        }

        void closePass() {
            if (pass != null) {
                try {
                    pass.close();
                } catch (RuntimeException e) {
                    logger.fine("Closing the read by visitor failed: " + e);
                }
                pass = null;
            }
        }

        /** Starts at the job's durable positions. */
        private void startFromDurablePositions() {
            cursors.putAll(durable);
            if (index == 0) {
                logger.info("Profile job " + job + " starts from its stored positions, not from the log's beginning");
            }
        }

        private void read(SourceBuilder.SourceBuffer<LogRecord> buffer, long now) {
            if (!shardsRead || now - shardsReadAt > SHARDS_REFRESH_NANOS || ownsLocalShard && !listed(log.localShard())) {
                shards = log.listShards();
                shardsRead = true;
                shardsReadAt = now;
            }
            int emitted = 0;
            for (TrackingLogReader.Shard shard : shards) {
                if (!owns(shard.id()) || finished.contains(shard.id())) {
                    continue;
                }
                List<LogRecord> records = log.readToFold(shard.id(), cursors.getOrDefault(shard.id(), 0L), batchSize,
                        project);
                boolean replayed = !caughtUp.contains(shard.id());
                for (LogRecord record : records) {
                    buffer.add(replayed ? new LogRecord(record.shard(), record.seq(), record.event(), true) : record);
                }
                if (records.size() < batchSize) {
                    caughtUp.add(shard.id());
                }
                if (!records.isEmpty()) {
                    cursors.put(shard.id(), records.get(records.size() - 1).seq());
                    emitted += records.size();
                } else if (shard.closed()) {
                    finished.add(shard.id()); // it was closed before this read found nothing more in it
                }
            }
            if (emitted == 0) {
                idleUntil = now + IDLE_NANOS;
            }
        }

        private boolean listed(long shard) {
            for (TrackingLogReader.Shard known : shards) {
                if (known.id() == shard) {
                    return true;
                }
            }
            return false;
        }

        Saved snapshot() {
            if (progress != null && lastSaved != null) {
                progress.applied(job, lastSaved);
            }
            boolean notYet = !started && fromDurable; // not begun: saved as where it will begin
            Map<Long, Long> at = new HashMap<>(notYet ? durable : cursors);
            lastSaved = at;
            return new Saved(new HashMap<>(at), new HashMap<>(passEnds), new HashMap<>(passAfter));
        }

        void restore(List<Saved> snapshots) {
            long now = System.nanoTime();
            long last = LAST_RESTORE_LOG.get();
            // once per member and restore: every processor restores, the node's log needs one line
            if (!restored && now - last > 5_000_000_000L && LAST_RESTORE_LOG.compareAndSet(last, now)) {
                logger.info("Profile job " + job + " restored from its last snapshot (a member left or joined, or the "
                        + "job restarted): it reads on from the snapshot's positions, and what it meets again is "
                        + "recognised as applied");
            }
            restored = true;
            started = true;
            for (Saved snapshot : snapshots) {
                snapshot.cursors().forEach((shard, seq) -> {
                    if (owns(shard)) {
                        cursors.merge(shard, seq, Math::max);
                    }
                });
                // a pass by visitor goes on where it was, shard by shard (the processor that had a shard may differ)
                snapshot.passEnds().forEach((shard, end) -> {
                    if (owns(shard)) {
                        passEnds.put(shard, end);
                        SortedRead.Key after = snapshot.passAfter().get(shard);
                        if (after != null) {
                            passAfter.put(shard, after);
                        }
                    }
                });
            }
        }
    }
}
