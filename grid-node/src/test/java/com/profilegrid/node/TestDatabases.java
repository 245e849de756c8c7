package com.profilegrid.node;

import com.profilegrid.node.store.Database;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real databases the tests persist to: an embedded H2 file database, and the PostgreSQL server at
 * 127.0.0.1:5432 (override with PROFILEGRID_TEST_PG_URL / _USER), each test in a schema of its own.
 */
public enum TestDatabases {

    H2, POSTGRESQL;

    public static final String PG_URL = env("PROFILEGRID_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = env("PROFILEGRID_TEST_PG_USER", "postgres");

    /** Settings of a fresh, empty database of this kind; {@code dir} holds the H2 files. */
    public Database.Settings fresh(Path dir) {
        String schema = "profilegrid_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return switch (this) {
            case H2 -> new Database.Settings("jdbc:h2:file:" + dir.resolve(schema).toAbsolutePath(), "", "", null, 8);
            case POSTGRESQL -> new Database.Settings(PG_URL, PG_USER, "", schema, 8);
        };
    }

    /** Drops what {@link #fresh} created (H2 files go with the temporary directory). */
    public static void drop(Database.Settings settings) throws SQLException {
        if (settings.schema() == null) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + settings.schema() + " CASCADE");
        }
    }

    /** A connection to the database of {@code settings}, in its schema. */
    public static Connection connect(Database.Settings settings) throws SQLException {
        Connection connection = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        if (settings.schema() != null) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET search_path TO " + settings.schema());
            }
        }
        return connection;
    }

    /** How many profile rows {@code project} has in {@code database}. */
    public static long profileRows(Database database, String project) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM current_profiles WHERE project = ?")) {
            count.setString(1, project);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Rows of the profiles and raw_ids tables written by generations older than {@code generation}. */
    public static long rowsOlderThan(Database database, int generation) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT (SELECT COUNT(*) FROM profiles WHERE generation < ?)"
                     + " + (SELECT COUNT(*) FROM raw_ids WHERE generation < ?)")) {
            count.setInt(1, generation);
            count.setInt(2, generation);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** The embedded default database of a node started with {@code --data-dir dataDir} and no {@code --db-url}. */
    public static Database.Settings embedded(Path dataDir) {
        return new Database.Settings("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("profilegrid") + ";AUTO_SERVER=TRUE",
                "", "", null, 2);
    }

    /** Creates a project straight in the database (migrating it first), as {@code profilegrid project create} does. */
    public static com.profilegrid.node.project.ProjectStore.Created createProject(Database.Settings settings, String name) {
        try (Database db = Database.open(settings)) {
            return new com.profilegrid.node.project.ProjectStore(db.dataSource(), java.time.Clock.systemUTC()).create(name);
        }
    }
}
