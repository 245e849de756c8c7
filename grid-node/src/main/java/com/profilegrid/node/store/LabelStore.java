package com.profilegrid.node.store;

import com.profilegrid.model.GridMaps;
import com.profilegrid.pipelines.rules.LabelDefinition;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Keeps the label definitions ({@link LabelDefinition#MAP}: {@code project␟name} to the definition) in the
 * {@code labels} table, written through, so that they outlive a full-cluster restart; loaded whole when the map is
 * first used (a project has tens or hundreds of labels, not millions).
 */
public final class LabelStore extends MessageTableStore<LabelDefinition> {

    private final SqlDialect dialect;

    public LabelStore(DataSource dataSource, SqlDialect dialect) {
        super(dataSource, "labels", "name", "project, name, rule, created_ms, updated_ms",
                row -> new LabelDefinition(row.getString(1), row.getString(2), row.getString(3),
                        Instant.ofEpochMilli(row.getLong(4)), Instant.ofEpochMilli(row.getLong(5))),
                "label definitions");
        this.dialect = dialect;
    }

    @Override
    public void storeAll(Map<String, LabelDefinition> labels) {
        String upsert = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO labels (project, name, rule, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (project, name) DO UPDATE SET rule = EXCLUDED.rule, updated_ms = EXCLUDED.updated_ms";
            case H2 -> "MERGE INTO labels (project, name, rule, created_ms, updated_ms) KEY (project, name) "
                    + "VALUES (?, ?, ?, ?, ?)";
        };
        try {
            Transactions.batch(dataSource, upsert, labels.values(), (statement, label) -> {
                statement.setString(1, label.project());
                statement.setString(2, label.name());
                statement.setString(3, label.rule());
                statement.setLong(4, label.created().toEpochMilli());
                statement.setLong(5, label.updated().toEpochMilli());
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store " + labels.size() + " label definition(s)", e);
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
