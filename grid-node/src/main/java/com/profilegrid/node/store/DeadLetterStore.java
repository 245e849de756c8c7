package com.profilegrid.node.store;

import com.profilegrid.pipelines.profile.DeadLetter;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Keeps the dead letters ({@link DeadLetter#MAP}) in the {@code dead_letters} table, written through, so that they
 * outlive a full-cluster restart; loaded whole when the map is first used (they are few: ingest refuses what the fold
 * cannot take). A letter once stored keeps its first-seen time: a second store of the same event changes nothing.
 * Dead letters are never deleted through the map.
 */
public final class DeadLetterStore extends MessageTableStore<DeadLetter> {

    private final SqlDialect dialect;

    public DeadLetterStore(DataSource dataSource, SqlDialect dialect) {
        super(dataSource, "dead_letters", "project, message_id, shard, seq, reason, first_seen_ms",
                row -> new DeadLetter(row.getString(1), row.getString(2), row.getLong(3), row.getLong(4),
                        row.getString(5), Instant.ofEpochMilli(row.getLong(6))), "dead letters");
        this.dialect = dialect;
    }

    @Override
    public void storeAll(Map<String, DeadLetter> letters) {
        String insert = switch (dialect) {
            case POSTGRESQL -> "INSERT INTO dead_letters (project, message_id, shard, seq, reason, first_seen_ms) "
                    + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project, message_id) DO NOTHING";
            case H2 -> "MERGE INTO dead_letters t USING (VALUES (CAST(? AS VARCHAR(128)), CAST(? AS VARCHAR(256)), "
                    + "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS VARCHAR(2000)), CAST(? AS BIGINT))) "
                    + "s(project, message_id, shard, seq, reason, first_seen_ms) "
                    + "ON t.project = s.project AND t.message_id = s.message_id WHEN NOT MATCHED THEN INSERT "
                    + "(project, message_id, shard, seq, reason, first_seen_ms) "
                    + "VALUES (s.project, s.message_id, s.shard, s.seq, s.reason, s.first_seen_ms)";
        };
        try {
            Transactions.batch(dataSource, insert, letters.values(), (statement, letter) -> {
                statement.setString(1, letter.project());
                statement.setString(2, letter.messageId());
                statement.setLong(3, letter.shard());
                statement.setLong(4, letter.seq());
                statement.setString(5, bounded(letter.reason()));
                statement.setLong(6, letter.firstSeen().toEpochMilli());
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot store " + letters.size() + " dead letter(s)", e);
        }
    }

    @Override
    public void delete(String key) {
        // kept: a dead letter is a record of what happened
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        // kept, as in delete
    }
}
