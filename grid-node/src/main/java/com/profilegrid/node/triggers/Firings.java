package com.profilegrid.node.triggers;

import com.profilegrid.node.store.ProfileStoreException;
import com.profilegrid.node.store.SqlDialect;
import com.profilegrid.node.store.SqlRetries;
import com.profilegrid.node.store.Transactions;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code firings} and {@code label_changes} tables and the safe-mode switch ({@code safe_mode}): firings are
 * written here before anything is delivered, and every delivery's outcome is written back. The database is where the
 * nodes meet: a firing is claimed by one node's delivery for a lease, and the switch is read in the transaction that
 * records firings, so none decided after it was turned on escapes it.
 */
public final class Firings {

    /** A firing's states. */
    public static final List<String> STATES = List.of("pending", "delivered", "deferred", "dead", "discarded");

    /** A firing to record. */
    public record NewFiring(String firingId, String project, String trigger, String profileId, String causeType,
                            String causeName, String causeId, String destination, String body) {
    }

    /**
     * The label changes one cause made to a profile, recorded as one row: the labels {@code entered} and
     * {@code exited}, each space-separated and sorted ({@code null}: none).
     */
    public record NewChanges(String changeId, String project, String profileId, String cause, String entered,
                             String exited) {
    }

    /** A profile's label timer: due at {@code dueMs}. */
    public record Due(String project, String profileId, long dueMs) {
    }

    /** A firing a delivery claimed. */
    public record Claimed(String firingId, String project, String trigger, String body, int attempts, long firedMs) {
    }

    /**
     * A lease that firings take as they are recorded, for the delivery of the recording node (PostgreSQL only): a
     * firing new to the table is written pending and already claimed by {@code owner} until {@code length} from now,
     * and handed to that delivery from memory, without a claim query that reads it back. At most {@code room} of a
     * destination's firings take it (how many more that destination may have waiting on the node); the rest wait
     * in the table for a claim, as every firing does when no lease is given.
     */
    public record Lease(String owner, Duration length, java.util.function.ToIntFunction<String> room) {
    }

    /**
     * What {@link #record(List, List, List, Instant, Lease)} wrote: how many firings are pending now (0 in safe mode;
     * counting any recorded before), and those new to the table that took the lease, as claimed by it.
     */
    public record Recorded(int pending, List<Claimed> leased) {
    }

    /** A firing as listed. */
    public record Row(String firingId, String project, String trigger, String profileId, String causeType,
                      String causeName, String causeId, String state, long firedMs, int attempts, Long nextAttemptMs,
                      Long finishedMs, String lastError) {
    }

    /** The safe-mode switch, and how many firings wait deferred. */
    public record SafeModeState(boolean enabled, Instant since, String reason, long deferred) {
    }

    private static final int MAX_ERROR = 2_000;

    private final DataSource dataSource;
    private final SqlDialect dialect;

    public Firings(DataSource dataSource, SqlDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /**
     * Records {@code changes} and {@code firings} in one transaction, each once (one already there is left as it is):
     * pending, or deferred while safe mode is on. Returns how many firings are pending now (0 in safe mode), counting
     * any that were recorded before (one JDBC batch, whose rewritten inserts do not say which rows were new).
     */
    public int record(List<NewChanges> given, List<NewFiring> fired, List<Due> timers, Instant now) {
        return record(given, fired, timers, now, null).pending();
    }

    /**
     * As {@link #record(List, List, List, Instant)}, and, on PostgreSQL outside safe mode, with {@code lease} (when not
     * {@code null}) taken by the firings its destinations have room for: those of them that are new to the table come
     * back claimed, for the caller's delivery to attempt once this has committed. Which are new comes from the insert
     * itself ({@code ON CONFLICT DO NOTHING RETURNING}), so a firing recorded before (a replay meeting its cause again,
     * or another recorder at the same moment) is never handed over twice.
     */
    public Recorded record(List<NewChanges> given, List<NewFiring> fired, List<Due> timers, Instant now, Lease lease) {
        // each table's rows in one order, in every transaction: two recorders running at once (a member's change sink
        // has several processors) lock the rows they share in the same order, so neither waits on the other in a cycle
        List<Due> dues = timers.stream().sorted(java.util.Comparator.comparing(Due::project)
                .thenComparing(Due::profileId)).toList();
        List<NewChanges> changes = given.stream().sorted(java.util.Comparator.comparing(NewChanges::changeId)).toList();
        List<NewFiring> firings = fired.stream().sorted(java.util.Comparator.comparing(NewFiring::firingId)).toList();
        try {
            return Transactions.inTransaction(dataSource, connection -> {
                if (!dues.isEmpty()) {
                    Transactions.batch(connection, earliestDue(), dues, (upsert, due) -> {
                        upsert.setString(1, due.project());
                        upsert.setString(2, due.profileId());
                        upsert.setLong(3, due.dueMs());
                    });
                }
                Transactions.batch(connection, insertIfAbsent("label_changes", "change_id",
                        "change_id, project, profile_id, entered, exited, cause, at_ms", 7), changes, (insert, change) -> {
                    insert.setString(1, change.changeId());
                    insert.setString(2, change.project());
                    insert.setString(3, change.profileId());
                    insert.setString(4, change.entered());
                    insert.setString(5, change.exited());
                    insert.setString(6, change.cause());
                    insert.setLong(7, now.toEpochMilli());
                });
                if (firings.isEmpty()) {
                    return new Recorded(0, List.of());
                }
                // read under a lock, so a switch turned on meanwhile waits for this to commit, then defers it too;
                // a shared one on PostgreSQL, so that recorders do not wait for each other's commits (H2 has none)
                boolean safe;
                try (PreparedStatement select = connection.prepareStatement("SELECT enabled FROM safe_mode WHERE id = 1 "
                        + (dialect == SqlDialect.POSTGRESQL ? "FOR SHARE" : "FOR UPDATE"));
                     ResultSet row = select.executeQuery()) {
                    safe = row.next() && row.getBoolean(1);
                }
                String state = safe ? "deferred" : "pending";
                List<Claimed> leased;
                if (lease != null && dialect == SqlDialect.POSTGRESQL) {
                    Set<String> leasing = safe ? Set.of() : leasable(firings, lease);
                    leased = insertLeasing(connection, firings, leasing, lease, state, now);
                } else {
                    leased = List.of();
                    Transactions.batch(connection, insertIfAbsent("firings", "firing_id", "firing_id, project, "
                            + "trigger_name, profile_id, cause_type, cause_name, cause_id, state, fired_ms, "
                            + "next_attempt_ms, attempts, destination", 12), firings, (insert, firing) -> {
                        insert.setString(1, firing.firingId());
                        insert.setString(2, firing.project());
                        insert.setString(3, firing.trigger());
                        insert.setString(4, firing.profileId());
                        insert.setString(5, firing.causeType());
                        insert.setString(6, firing.causeName());
                        insert.setString(7, firing.causeId());
                        insert.setString(8, state);
                        insert.setLong(9, now.toEpochMilli());
                        insert.setLong(10, now.toEpochMilli());
                        insert.setInt(11, 0);
                        insert.setString(12, firing.destination());
                    });
                }
                Transactions.batch(connection, insertIfAbsent("firing_bodies", "firing_id", "firing_id, body", 2),
                        firings, (insert, firing) -> {
                            insert.setString(1, firing.firingId());
                            insert.setString(2, firing.body());
                        });
                return new Recorded(safe ? 0 : firings.size(), leased);
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot record " + firings.size() + " firing(s) and " + changes.size()
                    + " label change(s)", e);
        }
    }

    /** The ids of the firings that take {@code lease}: as many of each destination's as it has room for, in order. */
    private static Set<String> leasable(List<NewFiring> firings, Lease lease) {
        Map<String, Integer> room = new java.util.HashMap<>();
        Set<String> leasing = new java.util.HashSet<>();
        for (NewFiring firing : firings) {
            if (firing.destination() == null) {
                continue;
            }
            int left = room.computeIfAbsent(firing.destination(), destination -> lease.room().applyAsInt(destination));
            if (left > 0) {
                leasing.add(firing.firingId());
                room.put(firing.destination(), left - 1);
            }
        }
        return leasing;
    }

    /**
     * Inserts {@code firings} (PostgreSQL: one statement over arrays, in the given order, which every recorder keeps),
     * those named in {@code leasing} pending and claimed by {@code lease}, the others as {@link #record} does; and
     * answers, as claimed, those of {@code leasing} that were not in the table yet.
     */
    private static List<Claimed> insertLeasing(Connection connection, List<NewFiring> firings, Set<String> leasing,
                                               Lease lease, String state, Instant now) throws SQLException {
        long nowMs = now.toEpochMilli();
        long leaseEnd = nowMs + lease.length().toMillis();
        Map<String, NewFiring> byId = new java.util.HashMap<>(firings.size() * 2);
        firings.forEach(firing -> byId.put(firing.firingId(), firing));
        List<Claimed> inserted = new ArrayList<>(leasing.size());
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO firings (firing_id, project, "
                + "trigger_name, profile_id, cause_type, cause_name, cause_id, destination, state, lease_owner, "
                + "lease_ms, next_attempt_ms, fired_ms, attempts) SELECT s.*, ?, 0 FROM unnest(?::varchar[], "
                + "?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], "
                + "?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[]) AS s ON CONFLICT (firing_id) DO NOTHING "
                + "RETURNING firing_id, lease_owner IS NOT NULL")) {
            insert.setLong(1, nowMs);
            List<java.util.function.Function<NewFiring, String>> columns = List.of(NewFiring::firingId,
                    NewFiring::project, NewFiring::trigger, NewFiring::profileId, NewFiring::causeType,
                    NewFiring::causeName, NewFiring::causeId, NewFiring::destination);
            int i = 2;
            for (var column : columns) {
                insert.setArray(i++, connection.createArrayOf("varchar", firings.stream().map(column).toArray()));
            }
            insert.setArray(i++, connection.createArrayOf("varchar", firings.stream().map(firing -> state).toArray()));
            insert.setArray(i++, connection.createArrayOf("varchar", firings.stream()
                    .map(firing -> leasing.contains(firing.firingId()) ? lease.owner() : null).toArray()));
            insert.setArray(i++, connection.createArrayOf("bigint", firings.stream()
                    .map(firing -> leasing.contains(firing.firingId()) ? leaseEnd : null).toArray()));
            // a leased firing's next attempt is at its lease's end, as a claim sets it: a claim takes it then if no
            // outcome came; the others are due now
            insert.setArray(i, connection.createArrayOf("bigint", firings.stream()
                    .map(firing -> leasing.contains(firing.firingId()) ? leaseEnd : nowMs).toArray()));
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    if (rows.getBoolean(2)) {
                        NewFiring firing = byId.get(rows.getString(1));
                        inserted.add(new Claimed(firing.firingId(), firing.project(), firing.trigger(), firing.body(),
                                0, nowMs));
                    }
                }
            }
        }
        return inserted;
    }

    /** Sets a profile's timer unless one is set earlier. */
    private String earliestDue() {
        return switch (dialect) {
            case POSTGRESQL -> "INSERT INTO label_due (project, profile_id, due_ms) VALUES (?, ?, ?) "
                    + "ON CONFLICT (project, profile_id) DO UPDATE SET due_ms = LEAST(label_due.due_ms, EXCLUDED.due_ms)";
            case H2 -> "MERGE INTO label_due t USING (VALUES (?, ?, ?)) s (project, profile_id, due_ms) "
                    + "ON t.project = s.project AND t.profile_id = s.profile_id "
                    + "WHEN MATCHED THEN UPDATE SET due_ms = LEAST(t.due_ms, s.due_ms) "
                    + "WHEN NOT MATCHED THEN INSERT (project, profile_id, due_ms) VALUES (s.project, s.profile_id, s.due_ms)";
        };
    }

    /** The timers due at {@code now}, earliest first, at most {@code limit}. */
    public List<Due> due(Instant now, int limit) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT project, profile_id, due_ms FROM "
                        + "label_due WHERE due_ms <= ? ORDER BY due_ms LIMIT ?")) {
                    select.setLong(1, now.toEpochMilli());
                    select.setInt(2, limit);
                    List<Due> due = new ArrayList<>();
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            due.add(new Due(rows.getString(1), rows.getString(2), rows.getLong(3)));
                        }
                    }
                    return due;
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot read the label timers due", e);
        }
    }

    /**
     * The timer {@code swept} went off: set to {@code nextMs} (-1: removed), unless it was set meanwhile (to an
     * earlier instant, by the profile job).
     */
    public void rescheduled(Due swept, long nextMs) {
        try {
            Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement update = connection.prepareStatement(nextMs < 0
                        ? "DELETE FROM label_due WHERE project = ? AND profile_id = ? AND due_ms = ?"
                        : "UPDATE label_due SET due_ms = ? WHERE project = ? AND profile_id = ? AND due_ms = ?")) {
                    int i = 1;
                    if (nextMs >= 0) {
                        update.setLong(i++, nextMs);
                    }
                    update.setString(i++, swept.project());
                    update.setString(i++, swept.profileId());
                    update.setLong(i, swept.dueMs());
                    return update.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot set the label timer of " + swept.profileId(), e);
        }
    }

    /** An insert that leaves a row whose key is there already as it is. */
    private String insertIfAbsent(String table, String key, String columns, int count) {
        String marks = String.join(", ", java.util.Collections.nCopies(count, "?"));
        return switch (dialect) {
            case POSTGRESQL -> "INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + ") ON CONFLICT ("
                    + key + ") DO NOTHING";
            case H2 -> {
                StringBuilder names = new StringBuilder();
                for (String column : columns.split(", ")) {
                    names.append(names.length() == 0 ? "" : ", ").append("s.").append(column);
                }
                yield "MERGE INTO " + table + " t USING (VALUES (" + marks + ")) s (" + columns + ") ON t." + key
                        + " = s." + key + " WHEN NOT MATCHED THEN INSERT (" + columns + ") VALUES (" + names + ")";
            }
        };
    }

    /**
     * Claims up to {@code limit} pending firings due at {@code now} for {@code lease} (none while safe mode is on),
     * leaving those for the {@code busy} destinations where they are: no other node's delivery takes them until the
     * lease ends or this one writes an outcome. Committed without waiting for the database's log flush
     * ({@link #relaxed}): a claim lost to a database crash only lets the firing be claimed again.
     */
    public List<Claimed> claim(Instant now, Duration lease, int limit, java.util.Collection<String> busy) {
        String token = UUID.randomUUID().toString();
        long nowMs = now.toEpochMilli();
        String skip = busy.isEmpty() ? "" : " AND (destination IS NULL OR destination NOT IN ("
                + String.join(", ", java.util.Collections.nCopies(busy.size(), "?")) + "))";
        try {
            return relaxed(connection -> {
                // PostgreSQL answers the claimed rows from the update itself; H2 reads them back by their lease
                // (a query PostgreSQL would answer by scanning the table: lease_owner has no index, and needs none)
                boolean returning = dialect == SqlDialect.POSTGRESQL;
                List<Claimed> claimed = new ArrayList<>();
                // the claim moves the next attempt to the lease's end (when the firing is attempted again if no
                // outcome comes): claimed firings leave the due range, so the next claim's index scan stops at the
                // due ones instead of reading past every firing still in flight
                try (PreparedStatement update = connection.prepareStatement("UPDATE firings f SET lease_owner = ?, "
                        + "lease_ms = ?, next_attempt_ms = ?" + (returning ? " FROM firing_bodies b WHERE b.firing_id = f.firing_id AND" : " WHERE")
                        + " f.firing_id IN (SELECT firing_id FROM firings WHERE state = 'pending' "
                        + "AND next_attempt_ms <= ? AND (lease_ms IS NULL OR lease_ms < ?)" + skip
                        + " ORDER BY next_attempt_ms LIMIT ?) AND f.state = 'pending' AND (f.lease_ms IS NULL OR f.lease_ms < ?) "
                        + "AND NOT EXISTS (SELECT 1 FROM safe_mode WHERE enabled)"
                        + (returning ? " RETURNING " + CLAIMED_COLUMNS : ""))) {
                    int i = 1;
                    update.setString(i++, token);
                    update.setLong(i++, nowMs + lease.toMillis());
                    update.setLong(i++, nowMs + lease.toMillis());
                    update.setLong(i++, nowMs);
                    update.setLong(i++, nowMs);
                    for (String destination : busy) {
                        update.setString(i++, destination);
                    }
                    update.setInt(i++, limit);
                    update.setLong(i, nowMs);
                    if (returning) {
                        try (ResultSet rows = update.executeQuery()) {
                            readClaimed(rows, claimed);
                        }
                        return claimed;
                    }
                    if (update.executeUpdate() == 0) {
                        return claimed;
                    }
                }
                try (PreparedStatement select = connection.prepareStatement("SELECT " + CLAIMED_COLUMNS
                        + " FROM firings f JOIN firing_bodies b ON b.firing_id = f.firing_id"
                        + " WHERE f.lease_owner = ? AND f.state = 'pending'")) {
                    select.setString(1, token);
                    try (ResultSet rows = select.executeQuery()) {
                        readClaimed(rows, claimed);
                    }
                }
                return claimed;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot claim firings to deliver", e);
        }
    }

    private static final String CLAIMED_COLUMNS = "f.firing_id, f.project, f.trigger_name, b.body, f.attempts, f.fired_ms";

    private static void readClaimed(ResultSet rows, List<Claimed> claimed) throws SQLException {
        while (rows.next()) {
            claimed.add(new Claimed(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                    rows.getInt(5), rows.getLong(6)));
        }
    }

    /**
     * Gives back the pending firings leased to {@code owner} (a member that left the cluster: its delivery will not
     * attempt them), due at {@code now}, so that a claim takes them at once rather than when their leases end.
     * Returns how many.
     */
    public int releaseLeases(String owner, Instant now) {
        try {
            return relaxed(connection -> {
                try (PreparedStatement update = connection.prepareStatement("UPDATE firings SET lease_ms = NULL, "
                        + "next_attempt_ms = ? WHERE state = 'pending' AND lease_owner = ? AND lease_ms IS NOT NULL")) {
                    update.setLong(1, now.toEpochMilli());
                    update.setString(2, owner);
                    return update.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot give back the firings leased to " + owner, e);
        }
    }

    /** What became of a claimed firing: written back, many at a time, by {@link #write}. */
    public sealed interface Outcome permits Delivered, Retry, Dead, Released {
        String firingId();
    }

    /** Delivered, after {@code attempts} attempts. */
    public record Delivered(String firingId, int attempts, Instant at) implements Outcome {
    }

    /** The attempt failed: tried again at {@code next}, or deferred if safe mode went on meanwhile. */
    public record Retry(String firingId, int attempts, Instant next, String error) implements Outcome {
    }

    /** Given up: dead, with the reason. */
    public record Dead(String firingId, int attempts, String error, Instant at) implements Outcome {
    }

    /** Given back without an attempt (this member is stopping): due again at {@code next}. */
    public record Released(String firingId, Instant next) implements Outcome {
    }

    /**
     * Writes {@code outcomes} in one transaction, a JDBC batch per kind, committed without waiting for the database's
     * log flush ({@link #relaxed}): an outcome lost to a database crash leaves its firing pending, to be attempted
     * again under the same {@code Idempotency-Key} (at least once), while the firing itself was recorded with a full
     * commit before any attempt.
     */
    public void write(List<? extends Outcome> outcomes) {
        try {
            relaxed(connection -> {
                Transactions.batch(connection, "UPDATE firings SET state = 'delivered', attempts = ?, finished_ms = ?, "
                        + "lease_ms = NULL, last_error = NULL WHERE firing_id = ?", only(outcomes, Delivered.class),
                        (update, delivered) -> {
                            update.setInt(1, delivered.attempts());
                            update.setLong(2, delivered.at().toEpochMilli());
                            update.setString(3, delivered.firingId());
                        });
                Transactions.batch(connection, "UPDATE firings SET state = CASE WHEN EXISTS (SELECT 1 FROM safe_mode "
                        + "WHERE enabled) THEN 'deferred' ELSE 'pending' END, attempts = ?, next_attempt_ms = ?, "
                        + "lease_ms = NULL, last_error = ? WHERE firing_id = ?", only(outcomes, Retry.class),
                        (update, retry) -> {
                            update.setInt(1, retry.attempts());
                            update.setLong(2, retry.next().toEpochMilli());
                            update.setString(3, bounded(retry.error()));
                            update.setString(4, retry.firingId());
                        });
                Transactions.batch(connection, "UPDATE firings SET state = 'dead', attempts = ?, finished_ms = ?, "
                        + "lease_ms = NULL, last_error = ? WHERE firing_id = ?", only(outcomes, Dead.class),
                        (update, dead) -> {
                            update.setInt(1, dead.attempts());
                            update.setLong(2, dead.at().toEpochMilli());
                            update.setString(3, bounded(dead.error()));
                            update.setString(4, dead.firingId());
                        });
                Transactions.batch(connection, "UPDATE firings SET lease_ms = NULL, next_attempt_ms = ? "
                        + "WHERE firing_id = ? AND state = 'pending'", only(outcomes, Released.class),
                        (update, released) -> {
                            update.setLong(1, released.next().toEpochMilli());
                            update.setString(2, released.firingId());
                        });
                return null;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot write the outcome of " + outcomes.size() + " firing(s)", e);
        }
    }

    private static <O extends Outcome> List<O> only(List<? extends Outcome> outcomes, Class<O> kind) {
        return outcomes.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /**
     * {@code work} in a transaction that commits without waiting for the database to flush its log (PostgreSQL's
     * {@code synchronous_commit = off}; H2 has no such setting): for delivery's bookkeeping, where losing the last
     * moments of it to a database crash costs a repeated attempt, never a lost firing, and a flush per claim and
     * outcome limited delivery to the disk's flush rate.
     */
    private <T> T relaxed(Transactions.Work<T> work) throws SQLException {
        return Transactions.inTransaction(dataSource, connection -> {
            if (dialect == SqlDialect.POSTGRESQL) {
                try (java.sql.Statement set = connection.createStatement()) {
                    set.execute("SET LOCAL synchronous_commit TO OFF");
                }
            }
            return work.run(connection);
        });
    }

    /** The firings of {@code project}, newest first; {@code trigger} and {@code state} filter when not null. */
    public List<Row> list(String project, String trigger, String state, int limit) {
        StringBuilder sql = new StringBuilder("SELECT firing_id, project, trigger_name, profile_id, cause_type, cause_name, "
                + "cause_id, state, fired_ms, attempts, next_attempt_ms, finished_ms, last_error FROM firings "
                + "WHERE project = ?");
        List<String> args = new ArrayList<>(List.of(project));
        if (trigger != null) {
            sql.append(" AND trigger_name = ?");
            args.add(trigger);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            args.add(state);
        }
        sql.append(" ORDER BY fired_ms DESC, firing_id LIMIT ").append(limit);
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                    for (int i = 0; i < args.size(); i++) {
                        select.setString(i + 1, args.get(i));
                    }
                    List<Row> rows = new ArrayList<>();
                    try (ResultSet row = select.executeQuery()) {
                        while (row.next()) {
                            String rowState = row.getString(8);
                            rows.add(new Row(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                                    row.getString(5), row.getString(6), row.getString(7), rowState, row.getLong(9),
                                    row.getInt(10), rowState.equals("pending") ? row.getLong(11) : null,
                                    (Long) row.getObject(12, Long.class), row.getString(13)));
                        }
                    }
                    return rows;
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot list the firings of project " + project, e);
        }
    }

    /**
     * Sends a dead (or discarded) firing of {@code project} to be delivered again, from its first attempt (deferred
     * while safe mode is on). Returns whether there was such a firing.
     */
    public boolean retry(String project, String firingId, Instant now) {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement update = connection.prepareStatement("UPDATE firings SET state = CASE WHEN "
                        + "EXISTS (SELECT 1 FROM safe_mode WHERE enabled) THEN 'deferred' ELSE 'pending' END, "
                        + "attempts = 0, next_attempt_ms = ?, fired_ms = fired_ms, finished_ms = NULL, lease_ms = NULL "
                        + "WHERE project = ? AND firing_id = ? AND state IN ('dead', 'discarded')")) {
                    update.setLong(1, now.toEpochMilli());
                    update.setString(2, project);
                    update.setString(3, firingId);
                    return update.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot retry firing " + firingId, e);
        }
    }

    /** How many firings are in each state (every state named, 0 when none is). */
    public Map<String, Long> countByState() {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                Map<String, Long> counts = new java.util.LinkedHashMap<>();
                STATES.forEach(state -> counts.put(state, 0L));
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT state, COUNT(*) FROM firings GROUP BY state");
                     ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        counts.put(rows.getString(1), rows.getLong(2));
                    }
                }
                return counts;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot count the firings by state", e);
        }
    }

    /** The safe-mode switch now, with the number of deferred firings. */
    public SafeModeState safeMode() {
        try {
            return Transactions.autoCommit(dataSource, connection -> {
                try (PreparedStatement select = connection.prepareStatement("SELECT enabled, since_ms, reason, "
                        + "(SELECT COUNT(*) FROM firings WHERE state = 'deferred') FROM safe_mode WHERE id = 1");
                     ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return new SafeModeState(false, Instant.EPOCH, "", 0);
                    }
                    return new SafeModeState(row.getBoolean(1), Instant.ofEpochMilli(row.getLong(2)), row.getString(3),
                            row.getLong(4));
                }
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot read the safe-mode switch", e);
        }
    }

    /**
     * A transaction that the database ended as one side of a deadlock (or a serialization failure) is run again, four
     * times in all, after a short pause: the safe-mode switch and its exit update many firings at once, beside
     * claims and outcomes that update others in another order, and an operator's switch must not fail for that.
     */
    private static final io.github.resilience4j.retry.Retry ON_DEADLOCK = SqlRetries.onStates("firings-deadlock", 4,
            Duration.ofMillis(20), Set.of("40P01", "40001"));

    /** Runs {@code work} in a transaction under {@link #ON_DEADLOCK}. */
    private <T> T retryingDeadlocks(Transactions.Work<T> work) throws SQLException {
        return SqlRetries.call(ON_DEADLOCK, () -> Transactions.inTransaction(dataSource, work));
    }

    /**
     * Turns safe mode on (with its reason) or off. On: every pending firing is deferred with it. Off by this call
     * leaves deferred firings deferred (see {@link #exit}).
     */
    public SafeModeState setSafeMode(boolean enabled, String reason, Instant now) {
        try {
            retryingDeadlocks(connection -> {
                try (PreparedStatement update = connection.prepareStatement("UPDATE safe_mode SET enabled = ?, "
                        + "since_ms = CASE WHEN enabled = ? THEN since_ms ELSE ? END, reason = ? WHERE id = 1")) {
                    update.setBoolean(1, enabled);
                    update.setBoolean(2, enabled);
                    update.setLong(3, now.toEpochMilli());
                    update.setString(4, bounded(reason));
                    update.executeUpdate();
                }
                if (enabled) {
                    try (PreparedStatement defer = connection.prepareStatement(
                            "UPDATE firings SET state = 'deferred', lease_ms = NULL WHERE state = 'pending'")) {
                        defer.executeUpdate();
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot change the safe-mode switch", e);
        }
        return safeMode();
    }

    /** What leaving safe mode did. */
    public record Exit(int delivering, int discarded) {
    }

    /**
     * Leaves safe mode: the deferred firings fired before {@code discardFiredBefore} (all of them with
     * {@link Instant#MAX}, none with {@code null}) are discarded with {@code reason}; the rest go to delivery.
     */
    public Exit exit(Instant discardFiredBefore, String reason, Instant now) {
        try {
            return retryingDeadlocks(connection -> {
                // the switch first, as the recorder takes it before writing firings: taken after the deferred
                // firings, a recorder writing one of them meanwhile would wait for this and this for it (a deadlock)
                try (PreparedStatement lock = connection.prepareStatement(
                        "SELECT enabled FROM safe_mode WHERE id = 1 FOR UPDATE")) {
                    lock.executeQuery().close();
                }
                int discarded = 0;
                if (discardFiredBefore != null) {
                    try (PreparedStatement discard = connection.prepareStatement("UPDATE firings SET state = 'discarded', "
                            + "finished_ms = ?, last_error = ? WHERE state = 'deferred' AND fired_ms < ?")) {
                        discard.setLong(1, now.toEpochMilli());
                        discard.setString(2, bounded(reason));
                        discard.setLong(3, discardFiredBefore.equals(Instant.MAX) ? Long.MAX_VALUE
                                : discardFiredBefore.toEpochMilli());
                        discarded = discard.executeUpdate();
                    }
                }
                int delivering;
                try (PreparedStatement deliver = connection.prepareStatement("UPDATE firings SET state = 'pending', "
                        + "next_attempt_ms = ? WHERE state = 'deferred'")) {
                    deliver.setLong(1, now.toEpochMilli());
                    delivering = deliver.executeUpdate();
                }
                try (PreparedStatement off = connection.prepareStatement(
                        "UPDATE safe_mode SET enabled = FALSE, since_ms = ?, reason = '' WHERE id = 1")) {
                    off.setLong(1, now.toEpochMilli());
                    off.executeUpdate();
                }
                return new Exit(delivering, discarded);
            });
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot leave safe mode", e);
        }
    }

    private static String bounded(String text) {
        return text == null || text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR);
    }
}
