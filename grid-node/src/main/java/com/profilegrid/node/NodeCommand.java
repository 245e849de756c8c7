package com.profilegrid.node;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code profilegrid node}: runs one grid member until SIGTERM, then shuts it down gracefully. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start a ProfileGrid grid node (a Hazelcast member with HTTP) and run until stopped.")
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--config", defaultValue = "${env:PROFILEGRID_CONFIG}",
            description = "Member YAML (default: config/hazelcast.yaml; env PROFILEGRID_CONFIG).")
    Path config;

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

    @Option(names = "--data-dir", defaultValue = "${env:PROFILEGRID_DATA_DIR:-data}",
            description = "Data directory, home of the embedded database (default: ${DEFAULT-VALUE}; env PROFILEGRID_DATA_DIR).")
    Path dataDir;

    @Option(names = "--db-url", defaultValue = "${env:PROFILEGRID_DB_URL}",
            description = "JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/profilegrid (default: embedded H2 in the data directory; env PROFILEGRID_DB_URL).")
    String dbUrl;

    @Option(names = "--db-user", defaultValue = "${env:PROFILEGRID_DB_USER}", description = "Database user (env PROFILEGRID_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", defaultValue = "${env:PROFILEGRID_DB_PASSWORD}",
            description = "Database password (env PROFILEGRID_DB_PASSWORD; prefer the variable to the flag).")
    String dbPassword;

    @Option(names = "--db-schema", defaultValue = "${env:PROFILEGRID_DB_SCHEMA}",
            description = "Database schema, created when missing (default: the connection's; env PROFILEGRID_DB_SCHEMA).")
    String dbSchema;

    @Option(names = "--db-pool-size", defaultValue = "${env:PROFILEGRID_DB_POOL_SIZE:-8}",
            description = "Pooled database connections (default: ${DEFAULT-VALUE}; env PROFILEGRID_DB_POOL_SIZE).")
    int dbPoolSize;

    @Option(names = "--profiles-max-heap-percent", defaultValue = "${env:PROFILEGRID_PROFILES_MAX_HEAP_PERCENT:-30}",
            description = "Heap share of the profiles map before it evicts to the database (default: ${DEFAULT-VALUE}).")
    int profilesMaxHeapPercent;

    @Option(names = "--write-delay-seconds", defaultValue = "${env:PROFILEGRID_WRITE_DELAY_SECONDS:-1}",
            description = "Write-behind delay of profiles to the database (default: ${DEFAULT-VALUE}).")
    int writeDelaySeconds;

    @Option(names = "--demo", description = "Write a small demo data set after start, and log it.")
    boolean demo;

    @Override
    public Integer call() throws InterruptedException {
        NodeSettings settings = new NodeSettings(config, clusterName, bind, hazelcastPort, members, httpHost, httpPort,
                dataDir, dbUrl, dbUser, dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo);
        GridNode node = GridNode.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } finally {
                stopped.countDown();
            }
        }, "profilegrid-shutdown"));
        stopped.await();
        return 0;
    }
}
