package com.profilegrid.node.ingest;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.log.TrackingLog;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.node.spool.SpoolFullException;
import com.profilegrid.node.spool.SpoolReplayer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes accepted events durable: into the tracking log when it answers in time, else into the local
 * spool (fsync'd), from which the replayer moves them into the log. Events are acknowledged only once
 * one of the two holds them. After a log failure new events go straight to the spool for a short
 * cool-down, so requests do not each wait for a dead database.
 */
public final class Ingestor implements SpoolReplayer.LogHealthListener {

    /** Where the events went: the log (200) or the spool (202). */
    public enum Outcome { LOGGED, SPOOLED }

    private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);
    private static final Duration COOL_DOWN = Duration.ofSeconds(2);

    private final TrackingLog log;
    private final Spool spool;
    private final Duration logWait;
    private final Duration spoolWait;
    private volatile long logSuspendedUntil;
    private volatile boolean logDown;

    public Ingestor(TrackingLog log, Spool spool, Duration logWait, Duration spoolWait) {
        this.log = log;
        this.spool = spool;
        this.logWait = logWait;
        this.spoolWait = spoolWait;
        this.logSuspendedUntil = System.nanoTime();
    }

    public Outcome ingest(List<TrackingEvent> events) {
        if (System.nanoTime() - logSuspendedUntil >= 0) {
            try {
                log.append(events).get(logWait.toMillis(), TimeUnit.MILLISECONDS);
                return Outcome.LOGGED;
            } catch (ExecutionException | TimeoutException e) {
                logFailed();
                LOG.debug("Tracking log did not take {} events in time; spooling them", events.size(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw IngestException.unavailable("interrupted", 1, e);
            }
        }
        try {
            spool.append(events).get(spoolWait.toMillis(), TimeUnit.MILLISECONDS);
            return Outcome.SPOOLED;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SpoolFullException) {
                throw IngestException.unavailable("tracking log unavailable and the local spool is full", 5, e.getCause());
            }
            throw IngestException.unavailable("tracking log unavailable and the local spool failed", 5, e.getCause());
        } catch (TimeoutException e) {
            throw IngestException.unavailable("tracking log unavailable and the local spool is slow", 5, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IngestException.unavailable("interrupted", 1, e);
        }
    }

    @Override
    public void logSucceeded() {
        logSuspendedUntil = System.nanoTime();
        if (logDown) {
            logDown = false;
            LOG.info("Tracking log is taking events again");
        }
    }

    @Override
    public void logFailed() {
        logSuspendedUntil = System.nanoTime() + COOL_DOWN.toNanos();
        if (!logDown) {
            logDown = true;
            LOG.warn("Tracking log is failing or slow; accepting events into the local spool");
        }
    }
}
