package com.profilegrid.node.store;

import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The profile columns of the {@code profiles} table, keyed by {@link ProfileKey}. The readers' {@code profiles} maps
 * load through it ({@link #readOnly()}); the table is written by the profile state's store ({@link ProfileStateStore}),
 * whose profile is the one the readers' map is given. Written directly only by tests and tools.
 */
public final class ProfileMapStore extends KeyedTableStore<ProfileKey, Profile> {

    private final ProfileRows rows = new ProfileRows();

    /** No node writes through it (see above), so nothing cuts it off at a stop ({@link StoreCutoff}). */
    public ProfileMapStore(DataSource dataSource, SqlDialect dialect) {
        super(dataSource, dialect, new StoreCutoff(), "profiles", ProfileRows.COLUMNS, Generation::profilesMap,
                BY_PROFILE);
    }

    @Override
    protected void bind(PreparedStatement statement, ProfileKey key, Profile profile) throws SQLException {
        rows.bind(statement, profile);
    }

    @Override
    protected Profile read(ResultSet row) throws SQLException {
        return rows.read(row);
    }
}
