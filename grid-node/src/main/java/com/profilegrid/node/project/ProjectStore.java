package com.profilegrid.node.project;

import com.profilegrid.node.store.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Projects and their keys in the database. */
public final class ProjectStore {

    /** A project as listed: never its keys. */
    public record Project(String projectId, String name, Instant created, Instant revoked) {
        public boolean active() {
            return revoked == null;
        }
    }

    /** A project just created, with its keys: the only time the keys are shown. */
    public record Created(String projectId, String name, String writeKey, String readKey) {
    }

    /** A stored key: its hash, its kind, its project, and whether it (or its project) is revoked. */
    public record StoredKey(String keyId, String projectId, KeyKind kind, String hash, boolean revoked) {
    }

    public static final int MAX_NAME_LENGTH = 256;

    private final DataSource dataSource;
    private final Clock clock;

    public ProjectStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Created create(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("project name must be 1 to " + MAX_NAME_LENGTH + " characters");
        }
        String projectId = ApiKeys.newId("prj_", 8);
        ApiKeys.Presented write = ApiKeys.generate(KeyKind.WRITE);
        ApiKeys.Presented read = ApiKeys.generate(KeyKind.READ);
        long now = clock.millis();
        try {
            Transactions.inTransaction(dataSource, connection -> {
                try (PreparedStatement project = connection.prepareStatement(
                        "INSERT INTO projects (project_id, name, created_ms) VALUES (?, ?, ?)");
                     PreparedStatement key = connection.prepareStatement(
                             "INSERT INTO project_keys (key_id, project_id, kind, key_hash, created_ms) VALUES (?, ?, ?, ?, ?)")) {
                    project.setString(1, projectId);
                    project.setString(2, name);
                    project.setLong(3, now);
                    project.executeUpdate();
                    for (ApiKeys.Presented presented : List.of(write, read)) {
                        key.setString(1, presented.keyId());
                        key.setString(2, projectId);
                        key.setString(3, presented.kind().column());
                        key.setString(4, ApiKeys.hash(presented.token()));
                        key.setLong(5, now);
                        key.addBatch();
                    }
                    key.executeBatch();
                    return null;
                }
            });
        } catch (SQLException e) {
            throw new ProjectStoreException("cannot create project", e);
        }
        return new Created(projectId, name, write.token(), read.token());
    }

    public List<Project> list() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT project_id, name, created_ms, revoked_ms FROM projects ORDER BY created_ms, project_id");
             ResultSet rows = select.executeQuery()) {
            List<Project> projects = new ArrayList<>();
            while (rows.next()) {
                long revokedMs = rows.getLong(4);
                // wasNull speaks of the column read last: ask it before reading another
                Instant revoked = rows.wasNull() ? null : Instant.ofEpochMilli(revokedMs);
                projects.add(new Project(rows.getString(1), rows.getString(2), Instant.ofEpochMilli(rows.getLong(3)),
                        revoked));
            }
            return projects;
        } catch (SQLException e) {
            throw new ProjectStoreException("cannot list projects", e);
        }
    }

    /** Revokes the project and all its keys. False when there is no such active project. */
    public boolean revoke(String projectId) {
        long now = clock.millis();
        try {
            return Transactions.inTransaction(dataSource, connection -> {
                try (PreparedStatement project = connection.prepareStatement(
                        "UPDATE projects SET revoked_ms = ? WHERE project_id = ? AND revoked_ms IS NULL");
                     PreparedStatement keys = connection.prepareStatement(
                             "UPDATE project_keys SET revoked_ms = ? WHERE project_id = ? AND revoked_ms IS NULL")) {
                    project.setLong(1, now);
                    project.setString(2, projectId);
                    int changed = project.executeUpdate();
                    keys.setLong(1, now);
                    keys.setString(2, projectId);
                    keys.executeUpdate();
                    return changed == 1;
                }
            });
        } catch (SQLException e) {
            throw new ProjectStoreException("cannot revoke project " + projectId, e);
        }
    }

    public Optional<StoredKey> findKey(String keyId) {
        List<StoredKey> found = keys(" WHERE k.key_id = ?", keyId);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Every key of every project, revoked ones included (for the copy of the key hashes held on the grid). */
    public List<StoredKey> allKeys() {
        return keys("", null);
    }

    private List<StoredKey> keys(String where, String keyId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT k.key_id, k.project_id, k.kind, k.key_hash, k.revoked_ms, p.revoked_ms "
                             + "FROM project_keys k JOIN projects p ON p.project_id = k.project_id" + where)) {
            if (keyId != null) {
                select.setString(1, keyId);
            }
            try (ResultSet row = select.executeQuery()) {
                List<StoredKey> keys = new ArrayList<>();
                while (row.next()) {
                    row.getLong(5);
                    boolean keyRevoked = !row.wasNull();
                    row.getLong(6);
                    boolean projectRevoked = !row.wasNull();
                    keys.add(new StoredKey(row.getString(1), row.getString(2),
                            KeyKind.valueOf(row.getString(3).toUpperCase(java.util.Locale.ROOT)), row.getString(4),
                            keyRevoked || projectRevoked));
                }
                return keys;
            }
        } catch (SQLException e) {
            throw new ProjectStoreException("cannot look up keys", e);
        }
    }
}
