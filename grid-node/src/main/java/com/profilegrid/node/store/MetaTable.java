package com.profilegrid.node.store;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The cluster's meta map (which generation readers use, shared and per project, and the newest number reserved) as a
 * table, {@code grid_meta}: written whole before the map changes, read back when a cluster starts with an empty map, so
 * that a full restart keeps the generation a rebuild switched to.
 */
public final class MetaTable {

    private final DataSource dataSource;

    public MetaTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Everything the table holds. */
    public Map<String, Integer> load() {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                Map<String, Integer> meta = new HashMap<>();
                try (Statement select = connection.createStatement();
                     ResultSet rows = select.executeQuery("SELECT name, num FROM grid_meta")) {
                    while (rows.next()) {
                        meta.put(rows.getString(1), rows.getInt(2));
                    }
                }
                return meta;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot read the stored generations", e);
        }
    }

    /** Makes the table hold {@code meta} and nothing else, in one transaction. */
    public void replace(Map<String, Integer> meta) {
        try {
            Transactions.inTransaction(dataSource, connection -> {
                try (Statement delete = connection.createStatement()) {
                    delete.executeUpdate("DELETE FROM grid_meta");
                }
                Transactions.batch(connection, "INSERT INTO grid_meta (name, num) VALUES (?, ?)", meta.entrySet(),
                        (insert, entry) -> {
                            insert.setString(1, entry.getKey());
                            insert.setInt(2, entry.getValue());
                        });
                return null;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store the generations", e);
        }
    }
}
