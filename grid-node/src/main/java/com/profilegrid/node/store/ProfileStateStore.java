package com.profilegrid.node.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Stores the profile state ({@link ProfileState}: the profile and the version of each raw id it lists) in the
 * {@code profiles} table: the profile in its columns, the versions in {@code absorbed}, its count of member chunks in
 * {@code member_chunks} (the chunks are rows of this table too), one row written at once, so a
 * reloaded state is always a profile with exactly the versions it was folded from. This is the store that writes the
 * table; the readers' {@code profiles} map only loads from it ({@link ProfileMapStore}).
 */
public final class ProfileStateStore extends KeyedTableStore<ProfileKey, ProfileState> {

    private static final String COLUMNS = ProfileRows.COLUMNS + ", absorbed, member_chunks";
    private static final int ABSORBED_AT = COLUMNS.split(", ").length - 1;
    private static final TypeReference<Map<String, Long>> VERSIONS = new TypeReference<>() { };

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProfileStateStore.class);
    private final ProfileRows rows = new ProfileRows();

    public ProfileStateStore(DataSource dataSource, SqlDialect dialect, StoreCutoff cutoff) {
        super(dataSource, dialect, cutoff, "profiles", COLUMNS, StatePipeline.Maps::statesMap, BY_PROFILE);
    }

    @Override
    protected void bind(PreparedStatement statement, ProfileKey key, ProfileState state) throws SQLException {
        rows.bind(statement, state.profile());
        if (!state.profile().key().equals(key)) {
            // the row is the entry's: two entries of one batch naming one row would fail the whole batch
            LOG.warn("The profile state under {} holds profile {}: stored under its entry's key", key,
                    state.profile().key());
            statement.setString(1, key.project());
            statement.setString(2, key.profileId());
        }
        statement.setString(ABSORBED_AT, rows.writeCounts(state.absorbed()));
        statement.setInt(ABSORBED_AT + 1, state.memberChunks());
    }

    /** A row written before the profile state existed has no versions: the first step on it makes it again. */
    @Override
    protected ProfileState read(ResultSet row) throws SQLException {
        String absorbed = row.getString("absorbed");
        return new ProfileState(rows.read(row), absorbed == null ? Map.of() : rows.read(absorbed, VERSIONS),
                row.getInt("member_chunks"));
    }
}
