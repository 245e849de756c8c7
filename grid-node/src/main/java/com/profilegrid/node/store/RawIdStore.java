package com.profilegrid.node.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.hazelcast.map.MapStore;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.state.RawIdEntry;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stores the profile state per raw id ({@link RawIdEntry}, keyed by {@link GridMaps#projectKey}) in the {@code raw_ids}
 * table, so that the raw-ids map can evict and load on demand (step 1 of {@code docs/profile-state.md}; not yet used
 * by the profile job). The partial is stored as a profile row ({@link ProfileRows}); upserts are idempotent, so
 * write-behind replays after a failover are harmless. Failures propagate to Hazelcast, which retries.
 */
public final class RawIdStore implements MapStore<String, RawIdEntry> {

    private static final String EXTRA = "applied, version, belongs_to, belongs_revision";
    private static final String COLUMNS = ProfileRows.COLUMNS + ", " + EXTRA;
    private static final int EXTRA_AT = ProfileRows.COLUMNS.split(", ").length + 1;
    private static final TypeReference<Map<Long, Long>> POSITIONS = new TypeReference<>() { };

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final ProfileRows rows = new ProfileRows();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public RawIdStore(DataSource dataSource, SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    @Override
    public void store(String key, RawIdEntry entry) {
        storeAll(Map.of(key, entry));
    }

    @Override
    public void storeAll(Map<String, RawIdEntry> entries) {
        try {
            Transactions.inTransaction(dataSource, connection -> {
                try (PreparedStatement statement = connection.prepareStatement(
                        dialect.upsertByProfileKey("raw_ids", COLUMNS, ProfileRows.PLACEHOLDERS + ", ?, ?, ?, ?"))) {
                    for (RawIdEntry entry : entries.values()) {
                        rows.bind(statement, entry.partial());
                        statement.setString(EXTRA_AT, write(new TreeMap<>(entry.applied())));
                        statement.setLong(EXTRA_AT + 1, entry.version());
                        statement.setString(EXTRA_AT + 2, entry.profileId());
                        statement.setLong(EXTRA_AT + 3, entry.profileRevision());
                        statement.addBatch();
                    }
                    statement.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store " + entries.size() + " raw id(s)", e);
        }
    }

    @Override
    public void delete(String key) {
        deleteAll(List.of(key));
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        try {
            Transactions.inTransaction(dataSource, connection -> {
                try (PreparedStatement statement = connection.prepareStatement(
                        "DELETE FROM raw_ids WHERE project = ? AND profile_id = ?")) {
                    for (String key : keys) {
                        statement.setString(1, GridMaps.projectOf(key));
                        statement.setString(2, GridMaps.idOf(key));
                        statement.addBatch();
                    }
                    statement.executeBatch();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot delete " + keys.size() + " raw id(s)", e);
        }
    }

    @Override
    public RawIdEntry load(String key) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT " + COLUMNS + " FROM raw_ids WHERE project = ? AND profile_id = ?")) {
            select.setString(1, GridMaps.projectOf(key));
            select.setString(2, GridMaps.idOf(key));
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                return new RawIdEntry(rows.read(row), read(row.getString("applied")), row.getLong("version"),
                        row.getString("belongs_to"), row.getLong("belongs_revision"));
            }
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot load raw id " + key, e);
        }
    }

    @Override
    public Map<String, RawIdEntry> loadAll(Collection<String> keys) {
        Map<String, RawIdEntry> found = new HashMap<>();
        for (String key : keys) {
            RawIdEntry entry = load(key);
            if (entry != null) {
                found.put(key, entry);
            }
        }
        return found;
    }

    /** No keys up front: raw ids load on demand. */
    @Override
    public Iterable<String> loadAllKeys() {
        return null;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ProfileStoreException("cannot write raw id positions as JSON", e);
        }
    }

    private Map<Long, Long> read(String text) {
        try {
            return json.readValue(text, POSITIONS);
        } catch (JsonProcessingException e) {
            throw new ProfileStoreException("cannot read raw id positions JSON", e);
        }
    }
}
