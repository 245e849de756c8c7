package com.profilegrid.node;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The settings of a node as flags, each with its PROFILEGRID_* variable; shared by the commands that need them. */
final class NodeOptions {

    /** Where the node's data lives: its config, data directory and database (the commands that only use those share them). */
    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--cluster-name", defaultValue = "${env:PROFILEGRID_CLUSTER_NAME:-profilegrid}",
            description = "Cluster name (default: ${DEFAULT-VALUE}; env PROFILEGRID_CLUSTER_NAME).")
    String clusterName;

    @Option(names = "--bind", defaultValue = "${env:PROFILEGRID_BIND:-127.0.0.1}",
            description = "Interface the member binds to (default: ${DEFAULT-VALUE}; env PROFILEGRID_BIND).")
    String bind;

    @Option(names = "--hazelcast-port", defaultValue = "${env:PROFILEGRID_HAZELCAST_PORT:-5701}",
            description = "Member port (default: ${DEFAULT-VALUE}; env PROFILEGRID_HAZELCAST_PORT).")
    int hazelcastPort;

    @Option(names = "--members", defaultValue = "${env:PROFILEGRID_MEMBERS}",
            description = "Comma-separated member list, host or host:port (default: this member; env PROFILEGRID_MEMBERS).")
    String members;

    @Option(names = "--http-host", defaultValue = "${env:PROFILEGRID_HTTP_HOST:-127.0.0.1}",
            description = "Interface of the HTTP server (default: ${DEFAULT-VALUE}; env PROFILEGRID_HTTP_HOST).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "${env:PROFILEGRID_HTTP_PORT:-8080}",
            description = "HTTP port (default: ${DEFAULT-VALUE}; env PROFILEGRID_HTTP_PORT).")
    int httpPort;

    @Option(names = {"--profile-heap-percent", "--profiles-max-heap-percent"},
            defaultValue = "${env:PROFILEGRID_PROFILE_HEAP_PERCENT:-40}",
            description = "Profile heap budget: the share of the heap all profile state (raw ids, profiles, the id index, "
                    + "their backups) may use before the least recently used is evicted to the database "
                    + "(default: ${DEFAULT-VALUE}; env PROFILEGRID_PROFILE_HEAP_PERCENT).")
    int profilesMaxHeapPercent;

    @Option(names = "--write-delay-seconds", defaultValue = "${env:PROFILEGRID_WRITE_DELAY_SECONDS:-1}",
            description = "Write-behind delay of profiles to the database (default: ${DEFAULT-VALUE}; env PROFILEGRID_WRITE_DELAY_SECONDS).")
    int writeDelaySeconds;

    @Option(names = "--spool-max-mb", defaultValue = "${env:PROFILEGRID_SPOOL_MAX_MB:-1024}",
            description = "Disk the local recovery spool may use before ingest answers 503 (default: ${DEFAULT-VALUE}; env PROFILEGRID_SPOOL_MAX_MB).")
    long spoolMaxMb;

    @Option(names = "--max-inflight", defaultValue = "${env:PROFILEGRID_MAX_INFLIGHT:-64}",
            description = "Tracking requests processed at once; more are answered 503 (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_MAX_INFLIGHT).")
    int maxInFlight;

    @Option(names = "--log-wait-ms", defaultValue = "${env:PROFILEGRID_LOG_WAIT_MS:-1000}",
            description = "How long a tracking request waits for the tracking log before its events go to the local spool "
                    + "and it is answered 202 (default: ${DEFAULT-VALUE}; env PROFILEGRID_LOG_WAIT_MS). Lower bounds the "
                    + "ack latency when the database is slow, at the cost of spooling more often.")
    long logWaitMs;

    @Option(names = "--project-rate", defaultValue = "${env:PROFILEGRID_PROJECT_RATE:-50000}",
            description = "Events per second per project per node; more are answered 429 (default: ${DEFAULT-VALUE}; "
                    + "env PROFILEGRID_PROJECT_RATE).")
    long projectRate;

    @Option(names = "--project-burst", defaultValue = "${env:PROFILEGRID_PROJECT_BURST:-100000}",
            description = "Events a project may send at once above its rate (default: ${DEFAULT-VALUE}; env PROFILEGRID_PROJECT_BURST).")
    long projectBurst;

    @Option(names = "--admin-token", defaultValue = "${env:PROFILEGRID_ADMIN_TOKEN}",
            description = "Bearer token of the admin API (default: generated into <data-dir>/admin-token; env PROFILEGRID_ADMIN_TOKEN).")
    String adminToken;

    NodeSettings settings(boolean demo) {
        if (profilesMaxHeapPercent < 4 || profilesMaxHeapPercent > 80) {
            throw new IllegalArgumentException("--profile-heap-percent must be between 4 and 80, not " + profilesMaxHeapPercent);
        }
        if (logWaitMs < 1 || logWaitMs > 60_000) {
            throw new IllegalArgumentException("--log-wait-ms must be between 1 and 60000, not " + logWaitMs);
        }
        IngestSettings ingest = IngestSettings.DEFAULTS.withSpoolMaxBytes(spoolMaxMb * 1024 * 1024)
                .withMaxInFlight(maxInFlight).withProjectRate(projectRate, projectBurst)
                .withLogWait(java.time.Duration.ofMillis(logWaitMs));
        return new NodeSettings(database.config, clusterName, bind, hazelcastPort, members, httpHost, httpPort,
                database.dataDir, database.dbUrl, database.dbUser, database.dbPassword, database.dbSchema,
                database.dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest,
                adminToken);
    }
}
