package com.profilegrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code profilegrid reconcile}: profile rows lost behind the grid's back (one deleted, one set back to an older state,
 * as write-behind dropped while the database was down leaves them) are found by comparing them with the grid, written
 * again, and reported; a second run finds nothing to repair.
 */
class ReconcileCommandTest {

    @TempDir
    Path dir;

    @Test
    void when_profile_rows_are_lost_then_reconcile_writes_them_again_and_says_so() throws Exception {
        Database.Settings db = TestDatabases.POSTGRESQL.fresh(dir);
        try (NodeCluster cluster = NodeCluster.start(dir, db, 1)) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("acme");
            StringBuilder batch = new StringBuilder("{\"batch\": [");
            for (int i = 0; i < 10; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"type\": \"track\", \"userId\": \"u").append(i % 5)
                        .append("\", \"event\": \"Viewed\", \"messageId\": \"m").append(i).append("\"}");
            }
            node.postAcknowledged("/v1/batch", project.writeKey(), batch.append("]}").toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                node.node().flushProfiles(project.projectId());
                return rows(db, project.projectId()) == 5;
            });
            java.util.List<String> ids = profileIds(db, project.projectId());
            String lost = ids.get(0);
            String behind = ids.get(1);
            String behindBefore = absorbed(db, project.projectId(), behind);

            try (Connection connection = TestDatabases.connect(db)) {
                execute(connection, "DELETE FROM profiles WHERE project = ? AND profile_id = ?", project.projectId(), lost);
                execute(connection, "UPDATE profiles SET absorbed = '{}' WHERE project = ? AND profile_id = ?",
                        project.projectId(), behind);
            }
            String url = "127.0.0.1:" + node.node().httpPort();
            CliRun run = CliRun.of("reconcile", "--url", url, "--admin-token", node.node().adminToken(), "--project",
                    project.projectId());
            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode report = NodeFixture.json(run.out());
            assertThat(report.path("checked").asLong()).isEqualTo(5);
            assertThat(report.path("missing").asLong()).isEqualTo(1);
            assertThat(report.path("behind").asLong()).isEqualTo(1);
            assertThat(report.path("repaired").asLong()).isEqualTo(2);
            // positions count as applied from the job's next snapshot on: a moment behind what the grid shows
            assertThat(report.path("lag").path("profilegrid-profiles").path("events").asLong()).isBetween(0L, 10L);
            assertThat(report.path("jobsStarted")).isEmpty();
            assertThat(rows(db, project.projectId())).isEqualTo(5);
            assertThat(absorbed(db, project.projectId(), lost)).isNotNull();
            assertThat(absorbed(db, project.projectId(), behind)).isEqualTo(behindBefore);

            JsonNode again = NodeFixture.json(CliRun.of("reconcile", "--url", url, "--admin-token",
                    node.node().adminToken()).out());
            assertThat(again.path("checked").asLong()).isEqualTo(5);
            assertThat(again.path("repaired").asLong()).isZero();
        } finally {
            TestDatabases.drop(db);
        }
    }

    private static void execute(Connection connection, String sql, String project, String profileId) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, project);
            statement.setString(2, profileId);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }

    private static java.util.List<String> profileIds(Database.Settings db, String project) throws Exception {
        try (Connection connection = TestDatabases.connect(db);
             PreparedStatement select = connection.prepareStatement(
                     "SELECT profile_id FROM current_profiles WHERE project = ? ORDER BY profile_id")) {
            select.setString(1, project);
            java.util.List<String> ids = new java.util.ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    private static long rows(Database.Settings db, String project) throws Exception {
        try (Connection connection = TestDatabases.connect(db);
             PreparedStatement count = connection.prepareStatement(
                     "SELECT COUNT(*) FROM current_profiles WHERE project = ?")) {
            count.setString(1, project);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static String absorbed(Database.Settings db, String project, String profileId) throws Exception {
        try (Connection connection = TestDatabases.connect(db);
             PreparedStatement select = connection.prepareStatement(
                     "SELECT absorbed FROM current_profiles WHERE project = ? AND profile_id = ?")) {
            select.setString(1, project);
            select.setString(2, profileId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
