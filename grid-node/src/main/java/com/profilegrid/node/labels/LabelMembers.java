package com.profilegrid.node.labels;

import com.profilegrid.node.store.ProfileStoreException;
import com.profilegrid.node.store.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who is in a label, from the persisted profiles ({@code current_profiles}, whose {@code labels} column holds each
 * profile's labels as a JSON array): as current as the profile state's write-behind (a second by default). Counting
 * reads the project's rows; members come a page at a time in profile id order, the cursor being the last id of the
 * page before.
 */
public final class LabelMembers {

    private final DataSource dataSource;

    public LabelMembers(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** How many profiles of {@code project} are in {@code label}. */
    public long count(String project, String label) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM current_profiles "
                        + "WHERE project = ? AND labels LIKE ? ESCAPE '!'")) {
                    select.setString(1, project);
                    select.setString(2, pattern(label));
                    try (ResultSet row = select.executeQuery()) {
                        return row.next() ? row.getLong(1) : 0L;
                    }
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot count the members of label " + label, e);
        }
    }

    /** Up to {@code limit} members of {@code label} after the profile id {@code after} ({@code ""}: from the first). */
    public List<String> page(String project, String label, String after, int limit) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT profile_id FROM current_profiles "
                        + "WHERE project = ? AND profile_id > ? AND labels LIKE ? ESCAPE '!' ORDER BY profile_id LIMIT ?")) {
                    select.setString(1, project);
                    select.setString(2, after);
                    select.setString(3, pattern(label));
                    select.setInt(4, limit);
                    List<String> ids = new ArrayList<>();
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            ids.add(rows.getString(1));
                        }
                    }
                    return ids;
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot list the members of label " + label, e);
        }
    }

    /** The label as an element of the JSON array (names are letters, digits, {@code _ . -}; {@code _} escaped). */
    private static String pattern(String label) {
        return "%\"" + label.replace("!", "!!").replace("_", "!_").replace("%", "!%") + "\"%";
    }
}
