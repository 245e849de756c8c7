package com.profilegrid.node.store;

import com.profilegrid.model.GridMaps;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Keeps the identity graph's refusals ({@link GridMaps#IDENTITY_REFUSALS}: {@code project␟messageId} to the reason
 * the link was not followed) in the {@code identity_refusals} table, written through, so that they outlive a
 * full-cluster restart; loaded whole when the map is first used (they are few: a refusal is two known users over one
 * id). A refusal the graph withdraws (a late, older link decided it the other way) is deleted from the table too.
 */
public final class IdentityRefusalStore extends MessageTableStore<String> {

    private final SqlDialect dialect;

    public IdentityRefusalStore(DataSource dataSource, SqlDialect dialect) {
        super(dataSource, "identity_refusals", "project, message_id, reason", row -> row.getString(3),
                "identity refusals");
        this.dialect = dialect;
    }

    @Override
    public void storeAll(Map<String, String> refusals) {
        String upsert = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO identity_refusals (project, message_id, reason) VALUES (?, ?, ?) "
                    + "ON CONFLICT (project, message_id) DO UPDATE SET reason = EXCLUDED.reason";
            case H2 -> "MERGE INTO identity_refusals (project, message_id, reason) KEY (project, message_id) "
                    + "VALUES (?, ?, ?)";
        };
        try {
            Transactions.batch(dataSource, upsert, refusals.entrySet(), (statement, refusal) -> {
                statement.setString(1, GridMaps.projectOf(refusal.getKey()));
                statement.setString(2, GridMaps.idOf(refusal.getKey()));
                statement.setString(3, bounded(refusal.getValue()));
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store " + refusals.size() + " identity refusal(s)", e);
        }
    }

    @Override
    public void delete(String key) {
        deleteAll(List.of(key));
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        deleteRows(keys);
    }
}
