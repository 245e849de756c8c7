package com.profilegrid.node.log;

import com.profilegrid.node.TestEvents;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On an H2 database reached with a user that is no admin, the node cannot make H2 fsync its commits (CHECKPOINT SYNC
 * needs admin rights): it says so, and the tracking log still commits (before, every commit would have failed on the
 * fsync and ingest would have spooled for ever).
 */
class H2WithoutAdminRightsTest {

    @TempDir
    Path dir;

    @Test
    void when_the_h2_user_is_no_admin_then_the_log_commits_and_the_node_says_what_an_ack_means() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath();
        try (Connection admin = DriverManager.getConnection(url, "sa", "");
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE USER app PASSWORD 'secret'");
            statement.execute("GRANT ALTER ANY SCHEMA TO app");
        }
        try (Database database = Database.open(new Database.Settings(url, "app", "secret", null, 2));
             JdbcTrackingLog log = new JdbcTrackingLog(database, Clock.systemUTC(), "127.0.0.1:5701", 100, 1_000)) {
            log.append(TestEvents.tracks("acme", "m", 10)).get(10, TimeUnit.SECONDS);

            assertThat(log.read(log.localShard(), 0, 100)).hasSize(10);
            assertThat(database.durability()).contains("without admin rights");
        }
    }
}
