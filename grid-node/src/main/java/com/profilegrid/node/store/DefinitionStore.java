package com.profilegrid.node.store;

import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.TriggerDefinition;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Keeps a map of definitions per project ({@code project␟name} to the definition: the labels, the triggers) in its
 * table, written through, so that they outlive a full-cluster restart; loaded whole when the map is first used (a
 * project has tens or hundreds of them, not millions). Each row is the project, the name, the definition's JSON text
 * and two times.
 *
 * @param <D> the definition
 */
public final class DefinitionStore<D> extends MessageTableStore<D> {

    /** How a definition reads from and writes to a row. */
    private interface Shape<D> {
        D of(String project, String name, String text, Instant created, Instant updated);

        String text(D definition);

        Instant created(D definition);

        Instant updated(D definition);
    }

    private final SqlDialect dialect;
    private final String table;
    private final String textColumn;
    private final Shape<D> shape;

    private DefinitionStore(DataSource dataSource, SqlDialect dialect, String table, String textColumn, String what,
                            Shape<D> shape) {
        super(dataSource, table, "name", "project, name, " + textColumn + ", created_ms, updated_ms",
                row -> shape.of(row.getString(1), row.getString(2), row.getString(3),
                        Instant.ofEpochMilli(row.getLong(4)), Instant.ofEpochMilli(row.getLong(5))), what);
        this.dialect = dialect;
        this.table = table;
        this.textColumn = textColumn;
        this.shape = shape;
    }

    /** The store of the label definitions ({@code labels} table). */
    public static DefinitionStore<LabelDefinition> labels(DataSource dataSource, SqlDialect dialect) {
        return new DefinitionStore<>(dataSource, dialect, "labels", "rule", "label definitions", new Shape<>() {
            public LabelDefinition of(String project, String name, String text, Instant created, Instant updated) {
                return new LabelDefinition(project, name, text, created, updated);
            }

            public String text(LabelDefinition label) {
                return label.rule();
            }

            public Instant created(LabelDefinition label) {
                return label.created();
            }

            public Instant updated(LabelDefinition label) {
                return label.updated();
            }
        });
    }

    /** The store of the trigger definitions ({@code triggers} table). */
    public static DefinitionStore<TriggerDefinition> triggers(DataSource dataSource, SqlDialect dialect) {
        return new DefinitionStore<>(dataSource, dialect, "triggers", "definition", "trigger definitions",
                new Shape<>() {
            public TriggerDefinition of(String project, String name, String text, Instant created, Instant updated) {
                return new TriggerDefinition(project, name, text, created, updated);
            }

            public String text(TriggerDefinition trigger) {
                return trigger.definition();
            }

            public Instant created(TriggerDefinition trigger) {
                return trigger.created();
            }

            public Instant updated(TriggerDefinition trigger) {
                return trigger.updated();
            }
        });
    }

    @Override
    public void storeAll(Map<String, D> definitions) {
        String columns = "project, name, " + textColumn + ", created_ms, updated_ms";
        String upsert = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO " + table + " (" + columns + ") VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (project, name) DO UPDATE SET " + textColumn + " = EXCLUDED." + textColumn
                    + ", updated_ms = EXCLUDED.updated_ms";
            case H2 -> "MERGE INTO " + table + " (" + columns + ") KEY (project, name) VALUES (?, ?, ?, ?, ?)";
        };
        try {
            Transactions.batch(dataSource, upsert, definitions.entrySet(), (statement, entry) -> {
                statement.setString(1, com.profilegrid.model.GridMaps.projectOf(entry.getKey()));
                statement.setString(2, com.profilegrid.model.GridMaps.idOf(entry.getKey()));
                statement.setString(3, shape.text(entry.getValue()));
                statement.setLong(4, shape.created(entry.getValue()).toEpochMilli());
                statement.setLong(5, shape.updated(entry.getValue()).toEpochMilli());
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store " + definitions.size() + " row(s) of " + table, e);
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
