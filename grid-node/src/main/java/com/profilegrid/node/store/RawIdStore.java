package com.profilegrid.node.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.state.RawIdEntry;
import com.profilegrid.pipelines.state.StatePipeline;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Stores the profile state per raw id ({@link RawIdEntry}, keyed by {@link GridMaps#projectKey}) in the {@code raw_ids}
 * table, so that the raw-ids map can evict and load on demand. The partial is stored as a profile row
 * ({@link ProfileRows}), with the applied positions, the version, the profile the id belongs to and the version of it
 * that profile holds without listing it.
 */
public final class RawIdStore extends KeyedTableStore<String, RawIdEntry> {

    private static final String COLUMNS = ProfileRows.COLUMNS + ", applied, version, belongs_to, belongs_revision, sealed";
    private static final int EXTRA_AT = ProfileRows.COLUMNS.split(", ").length + 1;
    private static final TypeReference<Map<Long, Long>> POSITIONS = new TypeReference<>() { };

    private final ProfileRows rows = new ProfileRows();

    public RawIdStore(DataSource dataSource, SqlDialect dialect) {
        this(dataSource, dialect, new StoreCutoff());
    }

    public RawIdStore(DataSource dataSource, SqlDialect dialect, StoreCutoff cutoff) {
        super(dataSource, dialect, cutoff, "raw_ids", COLUMNS, StatePipeline.Maps::rawIdsMap, BY_RAW_ID);
    }

    @Override
    protected void bind(PreparedStatement statement, String key, RawIdEntry entry) throws SQLException {
        rows.bind(statement, entry.partial());
        statement.setString(EXTRA_AT, rows.writePositions(entry.applied()));
        statement.setLong(EXTRA_AT + 1, entry.version());
        statement.setString(EXTRA_AT + 2, entry.profileId());
        statement.setLong(EXTRA_AT + 3, entry.profileRevision());
        statement.setLong(EXTRA_AT + 4, entry.sealed());
    }

    @Override
    protected RawIdEntry read(ResultSet row) throws SQLException {
        return new RawIdEntry(rows.read(row), rows.read(row.getString("applied"), POSITIONS), row.getLong("version"),
                row.getString("belongs_to"), row.getLong("belongs_revision"), row.getLong("sealed"));
    }
}
