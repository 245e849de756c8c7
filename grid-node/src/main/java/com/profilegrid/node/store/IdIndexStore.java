package com.profilegrid.node.store;

import com.profilegrid.model.Generation;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The id index ({@code profile-ids}: a typed id's project key to the profile it belongs to) as the {@code raw_ids} table
 * holds it: each raw id's row names its profile. The index map only loads through it ({@link #readOnly()}), so an
 * evicted entry, or every entry after a full restart, is found again; the raw ids' own store writes the rows.
 */
public final class IdIndexStore extends KeyedTableStore<String, String> {

    public IdIndexStore(DataSource dataSource, SqlDialect dialect) {
        super(dataSource, dialect, new StoreCutoff(), "raw_ids", "project, profile_id, belongs_to", Generation::idsMap,
                BY_RAW_ID);
    }

    @Override
    protected void bind(PreparedStatement statement, String key, String profileId) {
        throw new UnsupportedOperationException("the id index is written through the raw ids' store");
    }

    @Override
    protected String read(ResultSet row) throws SQLException {
        String belongsTo = row.getString("belongs_to");
        return belongsTo != null ? belongsTo : row.getString("profile_id");
    }
}
