package com.profilegrid.node.store;

import com.profilegrid.model.Generation;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The rows each generation of the profile view keeps in the {@code profiles} and {@code raw_ids} tables (their
 * {@code generation} column): those of a generation no project's readers use any more are deleted after a rebuild's
 * switch, and those of a rebuild that failed before its switch with it.
 */
public final class GenerationRows {

    private static final List<String> TABLES = List.of("profiles", "raw_ids");
    /** The generation {@code t}'s project's readers use, as {@code grid_meta} names it (0 when it names none). */
    private static final String IN_USE = "COALESCE((SELECT m.num FROM grid_meta m WHERE m.name = CONCAT('"
            + Generation.PROJECT_KEY_PREFIX + "', t.project)), (SELECT m.num FROM grid_meta m WHERE m.name = '"
            + Generation.ACTIVE_KEY + "'), 0)";

    private final DataSource dataSource;

    public GenerationRows(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Deletes the rows older than the generation their project's readers use; how many. (A generation newer than that
     * is one being built, or one a failed rebuild left, which {@link #delete} removes.)
     */
    public int deleteRetired() {
        return update("delete the rows of retired generations", "WHERE t.generation < " + IN_USE);
    }

    /** Deletes every row of {@code generation}; how many. */
    public int delete(int generation) {
        return update("delete the rows of generation " + generation, "WHERE t.generation = " + generation);
    }

    private int update(String what, String where) {
        try {
            return Transactions.inTransaction(dataSource, connection -> {
                int deleted = 0;
                for (String table : TABLES) {
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " t " + where)) {
                        deleted += delete.executeUpdate();
                    }
                }
                return deleted;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot " + what, e);
        }
    }
}
