package com.profilegrid.node;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Where a node's data lives, as flags, each with its PROFILEGRID_* variable: its member YAML, data directory and
 * database. The node takes them with the rest of its settings; the {@code project} commands, which write straight into
 * the database, take these alone and must be given what the nodes have.
 */
final class DatabaseOptions {

    @Option(names = "--config", defaultValue = "${env:PROFILEGRID_CONFIG}",
            description = "Member YAML (default: config/hazelcast.yaml; env PROFILEGRID_CONFIG).")
    Path config;

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

    /** A node's settings with these and every other setting at its default: what a command that opens the database needs. */
    NodeSettings settings() {
        NodeOptions defaults = new NodeOptions();
        picocli.CommandLine.populateCommand(defaults);
        defaults.database = this;
        return defaults.settings(false);
    }
}
