package com.profilegrid.node;

import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.node.triggers.TriggerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import com.profilegrid.node.ops.OverloadSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code profilegrid node}: runs one grid member until SIGTERM, then shuts it down gracefully. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start a ProfileGrid grid node (a Hazelcast member with HTTP) and run until stopped.")
final class NodeCommand implements Callable<Integer> {

    @Mixin
    NodeOptions options;

    @Option(names = "--demo", description = "Write a small demo data set after start, and log it.")
    boolean demo;

    @Option(names = "--role", defaultValue = "${env:PROFILEGRID_ROLE:-all}",
            description = "What this node does (default: ${DEFAULT-VALUE}; env PROFILEGRID_ROLE): all (tracking, "
                    + "profiles and the APIs in one member), tracking (the tracking API alone, not a Hazelcast member: "
                    + "named by --http-host and --http-port, needs only the database) or profiles (a member holding "
                    + "profiles and running the pipeline, with the read and admin APIs, no tracking).")
    String role;

    @Option(names = "--visit-gap-minutes", defaultValue = "${env:PROFILEGRID_VISIT_GAP_MINUTES:-30}",
            description = "Inactivity after which a visitor's next event starts a new visit (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_VISIT_GAP_MINUTES; "
                    + "the same on every node; a rebuild applies a change to existing profiles).")
    int visitGapMinutes;

    @Option(names = "--recent-events", defaultValue = "${env:PROFILEGRID_RECENT_EVENTS:-20}",
            description = "Most recent events each profile keeps (default: ${DEFAULT-VALUE}; env PROFILEGRID_RECENT_EVENTS; "
                    + "the same on every node).")
    int recentEvents;

    @Option(names = "--visit-retention-days", defaultValue = "${env:PROFILEGRID_VISIT_RETENTION_DAYS:-90}",
            description = "How many days before a visitor's last event its profile keeps visits (default: "
                    + "${DEFAULT-VALUE}; env PROFILEGRID_VISIT_RETENTION_DAYS; the same on every node; a rebuild applies a change to existing profiles).")
    int visitRetentionDays;

    @Option(names = "--webhook-retry-budget", defaultValue = "${env:PROFILEGRID_WEBHOOK_RETRY_BUDGET:-PT24H}",
            description = "How long after a firing its webhook is still retried (timeouts, 408, 429, 5xx) before the "
                    + "firing is dead, an ISO-8601 duration (default: ${DEFAULT-VALUE}; env PROFILEGRID_WEBHOOK_RETRY_BUDGET).")
    Duration webhookRetryBudget;

    @Option(names = "--overload-heap-percent", defaultValue = "${env:PROFILEGRID_OVERLOAD_HEAP_PERCENT:-85}",
            description = "Overload: heap in use after GC, in percent of the largest heap (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_OVERLOAD_HEAP_PERCENT). An overloaded node sheds tracking (503), defers firings "
                    + "(safe mode) and pauses partition migrations until it recovers.")
    int overloadHeapPercent;

    @Option(names = "--overload-state-percent", defaultValue = "${env:PROFILEGRID_OVERLOAD_STATE_PERCENT:-150}",
            description = "Overload: profile state heap in percent of its budget; eviction keeps it at 100 or under "
                    + "(default: ${DEFAULT-VALUE}; env PROFILEGRID_OVERLOAD_STATE_PERCENT).")
    int overloadStatePercent;

    @Option(names = "--overload-lag-events", defaultValue = "${env:PROFILEGRID_OVERLOAD_LAG_EVENTS:-5000000}",
            description = "Overload: events in the tracking log the profile job has not applied; 0: off "
                    + "(default: ${DEFAULT-VALUE}; env PROFILEGRID_OVERLOAD_LAG_EVENTS).")
    long overloadLagEvents;

    @Option(names = "--overload-writebehind-rows", defaultValue = "${env:PROFILEGRID_OVERLOAD_WRITEBEHIND_ROWS:-1000000}",
            description = "Overload: profile rows this member holds queued for the database "
                    + "(default: ${DEFAULT-VALUE}; env PROFILEGRID_OVERLOAD_WRITEBEHIND_ROWS).")
    long overloadWriteBehindRows;

    @Option(names = "--overload-spool-percent", defaultValue = "${env:PROFILEGRID_OVERLOAD_SPOOL_PERCENT:-80}",
            description = "Overload: the spool's fill in percent of --spool-max-bytes "
                    + "(default: ${DEFAULT-VALUE}; env PROFILEGRID_OVERLOAD_SPOOL_PERCENT).")
    int overloadSpoolPercent;

    @Option(names = "--overload-max-migration-pause",
            defaultValue = "${env:PROFILEGRID_OVERLOAD_MAX_MIGRATION_PAUSE:-PT2M}",
            description = "Longest time an overloaded node keeps partition migrations paused (the cluster is not safe "
                    + "meanwhile if a member left), an ISO-8601 duration; PT0S: never pause "
                    + "(default: ${DEFAULT-VALUE}; env PROFILEGRID_OVERLOAD_MAX_MIGRATION_PAUSE).")
    Duration overloadMaxMigrationPause;

    @Option(names = "--log-level", defaultValue = "${env:PROFILEGRID_LOG_LEVEL:-INFO}",
            description = "Level of the node's own log (default: ${DEFAULT-VALUE}; env PROFILEGRID_LOG_LEVEL): "
                    + "TRACE, DEBUG, INFO, WARN, ERROR or OFF.")
    String logLevel;

    @Option(names = "--hazelcast-log-level", defaultValue = "${env:PROFILEGRID_HAZELCAST_LOG_LEVEL:-WARN}",
            description = "Level of Hazelcast's and Jet's own log: member tables, migrations, job plans (default: "
                    + "${DEFAULT-VALUE}; env PROFILEGRID_HAZELCAST_LOG_LEVEL).")
    String hazelcastLogLevel;

    /** The node's settings: the shared flags, and how this node's profile jobs fold events. */
    NodeSettings settings() {
        if (visitGapMinutes < 1) {
            throw new IllegalArgumentException("--visit-gap-minutes must be at least 1, not " + visitGapMinutes);
        }
        if (recentEvents < 0) {
            throw new IllegalArgumentException("--recent-events must not be negative, not " + recentEvents);
        }
        if (visitRetentionDays < 1) {
            throw new IllegalArgumentException("--visit-retention-days must be at least 1, not " + visitRetentionDays);
        }
        if (webhookRetryBudget.isNegative() || webhookRetryBudget.isZero()) {
            throw new IllegalArgumentException("--webhook-retry-budget must be longer than zero, not " + webhookRetryBudget);
        }
        return options.settings(demo).withRole(NodeRole.parse(role)).withFold(new FoldSettings(Duration.ofMinutes(visitGapMinutes), recentEvents)
                .withVisitRetention(Duration.ofDays(visitRetentionDays)))
                .withTriggers(TriggerSettings.defaults().withRetryBudget(webhookRetryBudget))
                .withOverload(new OverloadSettings(overloadHeapPercent, overloadStatePercent, overloadLagEvents,
                        overloadWriteBehindRows, overloadSpoolPercent, OverloadSettings.DEFAULTS.recoverAfter(),
                        overloadMaxMigrationPause));
    }

    @Override
    public Integer call() throws InterruptedException {
        NodeSettings settings = settings();
        LogLevels.apply(LogLevels.checked("--log-level", logLevel),
                LogLevels.checked("--hazelcast-log-level", hazelcastLogLevel));
        ProfileGridNode node = ProfileGridNode.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                try {
                    node.close();
                } finally {
                    stopped.countDown();
                }
            }
        };
        // SIGTERM and Ctrl-C stop the node first and then the JVM: as a shutdown hook alone, the node's last flush and
        // the closing of its log shard raced the embedded H2's own hook, which closes the database at exit (a WARN
        // with a stack trace, and a shard sometimes left open). The hook stays for any other way the JVM exits.
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal),
                        received -> new Thread(stop, "profilegrid-shutdown").start());
            } catch (IllegalArgumentException e) {
                // the signal is not available here (or the JVM reserves it): the hook covers it
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "profilegrid-shutdown-hook"));
        stopped.await();
        return 0;
    }
}
