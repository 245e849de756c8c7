package com.profilegrid.node.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

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

    private final boolean fsyncsCommits;

    private Database(HikariDataSource dataSource, SqlDialect dialect, boolean fsyncsCommits) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.fsyncsCommits = fsyncsCommits;
    }

    /**
     * How long opening waits for a database that does not answer yet: a node started before its PostgreSQL, or
     * beside other nodes opening the embedded H2 database at the same moment (AUTO_SERVER: one opens the file and
     * serves it, the others wait for it).
     */
    public static final Duration START_WAIT = Duration.ofSeconds(60);

    /** Opens the pool and migrates the schema to the latest version, waiting up to {@link #START_WAIT} for the database. */
    public static Database open(Settings settings) {
        return open(settings, START_WAIT);
    }

    /**
     * Opens the pool and migrates the schema to the latest version. While the database does not answer (a failure
     * that passes, {@link DatabaseFailures#passing}), it tries again every second for up to {@code wait}, saying so
     * once; a login or a schema the database refuses fails at once.
     *
     * @throws DatabaseUnreachableException when the database did not answer within {@code wait}
     */
    public static Database open(Settings settings, Duration wait) {
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
            // No JIT compilation of queries: it pays only for long analytical queries, and these are short lookups
            // and writes; it starts whenever a plan's estimated cost is high, which a skewed estimate makes it (150 ms
            // of compiling for a 0.3 ms lookup of identity links, measured with one user holding most of them)
            pool.addDataSourceProperty("options", "-c jit=off");
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
            var result = waitingFor(settings.url(), wait, migrations::migrate);
            LOG.info("Database {} at schema version {} ({} migrations applied now)",
                    dialect, migrations.info().current().getVersion(), result.migrationsExecuted);
            return new Database(dataSource, dialect, dialect == SqlDialect.H2 && writeCommitsThrough(dataSource));
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** Runs {@code first}, the first use of the database, again every second while it fails in passing, up to {@code wait}. */
    private static <T> T waitingFor(String url, Duration wait, java.util.function.Supplier<T> first) {
        long deadline = System.nanoTime() + wait.toNanos();
        Retry retry = Retry.of("database-first-use", RetryConfig.custom().maxAttempts(Integer.MAX_VALUE)
                .waitDuration(Duration.ofSeconds(1))
                .retryOnException(e -> passing(e).isPresent() && System.nanoTime() - deadline < 0).build());
        AtomicBoolean said = new AtomicBoolean();
        retry.getEventPublisher().onRetry(event -> {
            if (!said.getAndSet(true)) {
                LOG.warn("Waiting up to {} s for the database {}: {}", wait.toSeconds(), url,
                        passing(event.getLastThrowable()).map(Throwable::getMessage).orElse(""));
            }
        });
        try {
            T done = retry.executeSupplier(first);
            if (said.get()) {
                LOG.info("Database {} answers", url);
            }
            return done;
        } catch (RuntimeException e) {
            var passing = passing(e);
            if (passing.isEmpty()) {
                throw e;
            }
            throw new DatabaseUnreachableException("the database " + url + " did not answer within "
                    + wait.toSeconds() + " s: " + passing.get().getMessage(), e);
        }
    }

    private static Optional<SQLException> passing(Throwable e) {
        return DatabaseFailures.deepest(e).filter(DatabaseFailures::passing);
    }

    /**
     * H2 writes committed changes to its file only every {@code WRITE_DELAY} ms (500 by default), so a killed
     * process loses what it acknowledged in its last half second. With 0 every commit is written to the file before
     * it returns; {@code CHECKPOINT SYNC} after a log commit adds the fsync ({@link #afterLogCommit}). The setting is
     * the database's, so it covers nodes that reach this database through AUTO_SERVER or an H2 server too. Both need
     * admin rights (the embedded default's user has them); without them the node warns and acks mean less.
     *
     * @return whether this connection may fsync (run {@code CHECKPOINT SYNC})
     */
    private static boolean writeCommitsThrough(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET WRITE_DELAY 0");
            statement.execute("CHECKPOINT SYNC");
            return true;
        } catch (SQLException e) {
            LOG.warn("Could not make H2 write each commit through and fsync it (SET WRITE_DELAY 0, CHECKPOINT SYNC need "
                    + "admin rights): acknowledged events may be lost if the process that holds the database is "
                    + "killed", e);
            return false;
        }
    }

    /**
     * What follows a tracking log commit on its connection: forcing it onto the disk where the database does not do so
     * at every commit. H2 writes a commit to its file ({@code WRITE_DELAY 0}) but does not fsync it; PostgreSQL's
     * commit is already durable ({@code synchronous_commit}), so this does nothing there.
     */
    public Transactions.AfterCommit afterLogCommit() {
        if (!fsyncsCommits) {
            return connection -> { };
        }
        return connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CHECKPOINT SYNC");
            }
        };
    }

    /** What an acknowledgement from the tracking log means on this database, for the node's start-up log. */
    public String durability() {
        return switch (dialect) {
            case H2 -> fsyncsCommits
                    ? "H2: each tracking log commit is written through and fsync'd (CHECKPOINT SYNC) before it is "
                    + "acknowledged; survives a killed process and a machine crash, not the loss of the disk"
                    : "H2 without admin rights: commits are written to the file every WRITE_DELAY ms and not fsync'd; "
                    + "a killed process can lose the last acknowledged events";
            case POSTGRESQL -> "PostgreSQL: a tracking log commit is acknowledged once PostgreSQL commits it "
                    + "(durable as the server's synchronous_commit and fsync settings make it)";
        };
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
