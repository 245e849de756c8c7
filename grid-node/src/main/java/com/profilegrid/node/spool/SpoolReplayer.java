package com.profilegrid.node.spool;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.log.TrackingLog;
import io.github.resilience4j.core.IntervalFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Moves spooled events into the tracking log, in spool order, in batches; the checkpoint advances only
 * after the log has committed a batch, so a crash replays at most one batch again, and the log's
 * de-duplication makes that harmless. While the log fails it backs off, up to {@link #MAX_BACKOFF}.
 */
public final class SpoolReplayer implements AutoCloseable {

    /** Told whether the log took a batch: ingest uses it to decide where new events go. */
    public interface LogHealthListener {
        void logSucceeded();

        void logFailed();
    }

    private static final Logger LOG = LoggerFactory.getLogger(SpoolReplayer.class);
    private static final int BATCH = 1_000;
    private static final Duration IDLE = Duration.ofMillis(100);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** The pause after the n-th failure in a row: doubling from {@link #MIN_BACKOFF} up to {@link #MAX_BACKOFF}, with jitter. */
    private static final IntervalFunction BACKOFF =
            IntervalFunction.ofExponentialRandomBackoff(MIN_BACKOFF, 2.0, 0.25, MAX_BACKOFF);
    private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(30);

    private final Spool spool;
    private final TrackingLog log;
    private final LogHealthListener health;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long replayed;

    public SpoolReplayer(Spool spool, TrackingLog log, LogHealthListener health) {
        this.spool = spool;
        this.log = log;
        this.health = health;
        this.thread = new Thread(this::run, "profilegrid-spool-replayer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Events moved into the log since start. */
    public long replayed() {
        return replayed;
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            try {
                List<Spool.Entry> batch = spool.read(spool.checkpoint(), BATCH);
                if (batch.isEmpty()) {
                    sleep(IDLE);
                    continue;
                }
                List<TrackingEvent> events = batch.stream().map(Spool.Entry::event).toList();
                log.append(events).get(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                spool.acknowledge(batch.get(batch.size() - 1).next());
                replayed += events.size();
                health.logSucceeded();
                failures = 0;
                if (!spool.hasPending()) {
                    LOG.info("Spool drained into the tracking log ({} events replayed since start)", replayed);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                health.logFailed();
                Duration backoff = Duration.ofMillis(BACKOFF.apply(++failures));
                LOG.debug("Spool replay failed; retrying in {}", backoff, e);
                sleep(backoff);
            }
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
