package com.profilegrid.node.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.state.PackedState;
import com.profilegrid.pipelines.state.RawIdEntry;
import com.profilegrid.pipelines.state.StatePipeline;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Stores the profile state per raw id ({@link RawIdEntry}, keyed by {@link GridMaps#projectKey}) in the {@code raw_ids}
 * table, so that the raw-ids map can evict and load on demand. A row holds the entry packed ({@link PackedState}, the
 * layout the map holds it in), with the version, the profile the id belongs to (which the id index reads), that
 * decision's revision and the version of the id its profile holds without listing it beside it. Rows written before
 * the packed column (V15) hold the partial as a profile row ({@link ProfileRows}) and the positions as JSON: they are
 * read from those columns until written again.
 */
public final class RawIdStore extends KeyedTableStore<String, RawIdEntry> {

    private static final String COLUMNS = "project, profile_id, packed, version, belongs_to, belongs_revision, sealed";
    /** The columns of rows written before the packed one, read only when a row has no packed entry. */
    private static final String EARLIER_COLUMNS = ProfileRows.COLUMNS.replace("project, profile_id, ", "")
            + ", applied";
    private static final TypeReference<Map<Long, Long>> POSITIONS = new TypeReference<>() { };

    private final ProfileRows rows = new ProfileRows();

    public RawIdStore(DataSource dataSource, SqlDialect dialect) {
        this(dataSource, dialect, new StoreCutoff());
    }

    public RawIdStore(DataSource dataSource, SqlDialect dialect, StoreCutoff cutoff) {
        super(dataSource, dialect, cutoff, "raw_ids", COLUMNS, COLUMNS + ", " + EARLIER_COLUMNS,
                StatePipeline.Maps::rawIdsMap, BY_RAW_ID);
    }

    @Override
    protected void bind(PreparedStatement statement, String key, RawIdEntry entry) throws SQLException {
        statement.setString(1, GridMaps.projectOf(key));
        statement.setString(2, GridMaps.idOf(key));
        statement.setBytes(3, PackedState.pack(entry));
        statement.setLong(4, entry.version());
        statement.setString(5, entry.profileId());
        statement.setLong(6, entry.profileRevision());
        statement.setLong(7, entry.sealed());
    }

    @Override
    protected RawIdEntry read(ResultSet row) throws SQLException {
        byte[] packed = row.getBytes("packed");
        if (packed != null) {
            return PackedState.unpackRawId(packed);
        }
        return new RawIdEntry(rows.read(row), rows.read(row.getString("applied"), POSITIONS), row.getLong("version"),
                row.getString("belongs_to"), row.getLong("belongs_revision"), row.getLong("sealed"));
    }
}
