package com.profilegrid.node.store;

import com.hazelcast.map.MapStore;
import com.profilegrid.model.GridMaps;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The store of a small table keyed by {@code (project, <key column>)}, whose map key is {@code project␟key} and
 * which its map loads whole at first use: the dead letters and the identity refusals (by message id), the label
 * definitions (by name). The reads are here, and a
 * single store is a batch of one; each subclass writes its own rows.
 *
 * @param <V> the map's value, read from a row whose first two columns are the project and the message id
 */
abstract class MessageTableStore<V> implements MapStore<String, V> {

    /** The value of the row the result set is on. */
    interface Reader<V> {
        V read(ResultSet row) throws SQLException;
    }

    /** Longest reason a row keeps (the {@code reason} column of both tables); a longer one is cut there. */
    static final int MAX_REASON = 2_000;

    /** Where the rows are, for the subclass's writes too. */
    final DataSource dataSource;
    private final String select;
    private final String table;
    private final String keyColumn;
    private final Reader<V> reader;
    private final String what;

    /**
     * @param columns the columns to read, {@code project, message_id} first
     * @param what    what the rows are, for the error when they cannot be read
     */
    MessageTableStore(DataSource dataSource, String table, String columns, Reader<V> reader, String what) {
        this(dataSource, table, "message_id", columns, reader, what);
    }

    /** As the other constructor, for a table keyed by {@code (project, keyColumn)}; {@code columns} start with them. */
    MessageTableStore(DataSource dataSource, String table, String keyColumn, String columns, Reader<V> reader,
                      String what) {
        this.dataSource = dataSource;
        this.table = table;
        this.keyColumn = keyColumn;
        this.select = "SELECT " + columns + " FROM " + table;
        this.reader = reader;
        this.what = what;
    }

    /** {@code reason}, cut to {@link #MAX_REASON} characters. */
    static String bounded(String reason) {
        return reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    }

    @Override
    public final void store(String key, V value) {
        storeAll(Map.of(key, value));
    }

    /** Deletes the rows of {@code keys} (for a subclass whose map deletes go to the table). */
    final void deleteRows(Collection<String> keys) {
        try {
            Transactions.batch(dataSource, "DELETE FROM " + table + " WHERE project = ? AND " + keyColumn + " = ?", keys,
                    (statement, key) -> {
                        statement.setString(1, GridMaps.projectOf(key));
                        statement.setString(2, GridMaps.idOf(key));
                    });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot delete " + keys.size() + " " + what, e);
        }
    }

    @Override
    public final V load(String key) {
        return select(" WHERE project = ? AND " + keyColumn + " = ?", key).get(key);
    }

    @Override
    public final Map<String, V> loadAll(Collection<String> keys) {
        Map<String, V> all = new HashMap<>();
        for (String key : keys) {
            V value = load(key);
            if (value != null) {
                all.put(key, value);
            }
        }
        return all;
    }

    /** Every row of the table, read (for a copy made before the map that holds them is up). */
    public final java.util.Collection<V> loadAllValues() {
        return select("", null).values();
    }

    /** Every key the table holds: the map loads them all at first use. */
    @Override
    public final Iterable<String> loadAllKeys() {
        return new ArrayList<>(select("", null).keySet());
    }

    private Map<String, V> select(String where, String key) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(select + where)) {
            if (key != null) {
                statement.setString(1, GridMaps.projectOf(key));
                statement.setString(2, GridMaps.idOf(key));
            }
            Map<String, V> values = new HashMap<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.put(GridMaps.projectKey(rows.getString(1), rows.getString(2)), reader.read(rows));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot load " + what, e);
        }
    }
}
