package com.profilegrid.node.store;

import com.profilegrid.model.GridMaps;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reads of a small table keyed by {@code (project, message_id)}, whose map key is {@code project␟messageId} and
 * which its map loads whole at first use: the dead letters and the identity refusals.
 *
 * @param <V> the map's value, read from a row whose first two columns are the project and the message id
 */
final class MessageRows<V> {

    /** The value of the row the result set is on. */
    interface Reader<V> {
        V read(ResultSet row) throws SQLException;
    }

    private final DataSource dataSource;
    private final String select;
    private final Reader<V> reader;
    private final String what;

    /**
     * @param columns the columns to read, {@code project, message_id} first
     * @param what    what the rows are, for the error when they cannot be read
     */
    MessageRows(DataSource dataSource, String table, String columns, Reader<V> reader, String what) {
        this.dataSource = dataSource;
        this.select = "SELECT " + columns + " FROM " + table;
        this.reader = reader;
        this.what = what;
    }

    /** The value stored under {@code key}, or {@code null}. */
    V one(String key) {
        return select(" WHERE project = ? AND message_id = ?", key).get(key);
    }

    /** The values stored under {@code keys}; a key without a row is absent. */
    Map<String, V> some(Collection<String> keys) {
        Map<String, V> all = new HashMap<>();
        for (String key : keys) {
            V value = one(key);
            if (value != null) {
                all.put(key, value);
            }
        }
        return all;
    }

    /** Every key the table holds. */
    List<String> allKeys() {
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
