package com.profilegrid.node.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The node's database: a connection pool over H2 (embedded default) or PostgreSQL, with the schema
 * created and upgraded by the Flyway migrations in {@code config/db/migration}.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /**
     * Where and how to connect.
     *
     * @param url      JDBC URL ({@code jdbc:h2:...} or {@code jdbc:postgresql:...})
     * @param user     user name, may be empty
     * @param password password, may be empty
     * @param schema   schema to use (created when missing), or {@code null} for the connection's default
     * @param poolSize maximum pooled connections
     */
    public record Settings(String url, String user, String password, String schema, int poolSize) {
    }

    private final HikariDataSource dataSource;
    private final SqlDialect dialect;

    private Database(HikariDataSource dataSource, SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Opens the pool and migrates the schema to the latest version. */
    public static Database open(Settings settings) {
        SqlDialect dialect = SqlDialect.forUrl(settings.url());
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("profilegrid-db");
        pool.setJdbcUrl(settings.url());
        pool.setUsername(settings.user());
        pool.setPassword(settings.password());
        pool.setMaximumPoolSize(settings.poolSize());
        pool.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        pool.setExceptionOverride(new BrokenConnections());
        // Start even when the database is down: readiness reports it, and writes are retried.
        pool.setInitializationFailTimeout(-1);
        if (settings.schema() != null) {
            pool.setSchema(settings.schema());
        }
        if (dialect == SqlDialect.POSTGRESQL) {
            // One multi-row INSERT per batch (log appends, profile upserts) instead of one statement per row; no
            // caller reads per-row update counts, which this setting gives up.
            pool.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource dataSource = new HikariDataSource(pool);
        try {
            var flyway = Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration");
            if (settings.schema() != null) {
                flyway.schemas(settings.schema()).createSchemas(true);
            }
            var migrations = flyway.load();
            var result = migrations.migrate();
            LOG.info("Database {} at schema version {} ({} migrations applied now)",
                    dialect, migrations.info().current().getVersion(), result.migrationsExecuted);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, dialect);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** True when a connection can be had and answers within the timeout. */
    public boolean isReachable(Duration timeout) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (SQLException e) {
            LOG.debug("Database unreachable", e);
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
