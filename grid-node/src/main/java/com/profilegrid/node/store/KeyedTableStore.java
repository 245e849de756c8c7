package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.util.ThreadUtil;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.spi.exception.RetryableHazelcastException;
import com.hazelcast.map.MapLoader;
import com.hazelcast.map.MapLoaderLifecycleSupport;
import com.hazelcast.map.MapStore;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.pipelines.state.KeysByPartition;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * The JDBC store of one kind of generation map whose rows are keyed by {@code (project, profile_id)}: batched idempotent
 * upserts (write-behind replays after a failover are harmless), chunked loads on a miss, no keys preloaded (a cluster
 * may hold fewer entries than the table; eviction relies on the same lazy loading). Failures are never swallowed: they
 * propagate to Hazelcast, which keeps the entries queued and retries.
 *
 * <p>Each generation of the map reads and writes rows of its own ({@code generation} column, part of the key): a map a
 * rebuild is filling starts with no rows, stores what it evicts and loads it back like the generation readers use, and
 * never touches the rows readers use until it becomes theirs. A generation older than the one a project's readers use
 * (retired, or left by the project for one of its own) reads and writes nothing of that project. Outside a member (a
 * store used directly) it reads and writes the rows of the generation each project's readers use, as the
 * {@code grid_meta} table names it. While the member shuts down it can no longer read which generation is active, but
 * Hazelcast still flushes its write-behind queue: the last answer seen for each project decides then. A stopping
 * node's {@link StoreCutoff} drops what others will write.
 *
 * @param <K> the map's key
 * @param <V> the map's value
 */
public abstract class KeyedTableStore<K, V> implements MapStore<K, V>, MapLoaderLifecycleSupport {

    /** Keys per SELECT when loading many rows at once. */
    private static final int LOAD_CHUNK = 1_000;
    /** A read-ahead is worth its query when the loads after it use at least this share of what it read. */
    private static final double PREFETCH_USEFUL = 0.05;
    /** While read-aheads are not worth it, one batch in this many reads ahead all the same. */
    private static final int PREFETCH_PROBE = 8;
    /**
     * A read-ahead leaves out the keys this store wrote less than this long ago: their entries are in memory (a CPU
     * profile of the profiles benchmark showed a sixteenth of all CPU parsing read-ahead rows of entries that were).
     */
    private static final long PREFETCH_SKIP_WRITTEN_NANOS = 30_000_000_000L;
    /** Load queries of one map at once, on a pool shared with the stores, the tracking log and the other maps. */
    private static final int LOAD_QUERIES = 3;

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final StoreCutoff cutoff;
    private final String table;
    private final String columns;
    private final Function<Generation, String> mapOf;
    private final RowKeys<K> keys;
    private final String loadSql;
    private final KnownRows<K, V> known = new KnownRows<>();
    private final CoalescedLoads<K, V> loads = new CoalescedLoads<>(LOAD_QUERIES, LOAD_CHUNK, this::query);
    private volatile UUID migrations;
    /** How much of what the last read-aheads read the loads used (a moving average). */
    private volatile double prefetchUse = 1;
    private final java.util.concurrent.atomic.AtomicLong prefetchSkips = new java.util.concurrent.atomic.AtomicLong();
    /** Keys this store asked the database for on a partition thread (the state maps do not offload their loads). */
    private final java.util.concurrent.atomic.AtomicLong partitionThreadLoads = new java.util.concurrent.atomic.AtomicLong();
    private volatile HazelcastInstance member;
    private volatile String mapName;
    /** The member's view of this map's entries, made at the first read-ahead (not in {@link #init}: the map is made then). */
    private volatile LocalEntries localEntries;
    private final java.util.concurrent.atomic.AtomicLong rowsAskedAhead = new java.util.concurrent.atomic.AtomicLong();
    /** The generation of this store's map, in a member. */
    private volatile int own;
    /** The last answer of {@link #activeFor} per project, for the flush at shutdown. */
    private final Map<String, Boolean> lastAnswers = new ConcurrentHashMap<>();

    /**
     * @param columns the table's columns as the subclass binds and reads them, {@code project, profile_id} first
     * @param mapOf   the name of this kind of map in a generation
     * @param keys    how the map's keys name rows
     */
    protected KeyedTableStore(DataSource dataSource, SqlDialect dialect, StoreCutoff cutoff, String table,
                              String columns, Function<Generation, String> mapOf, RowKeys<K> keys) {
        this(dataSource, dialect, cutoff, table, columns, columns, mapOf, keys);
    }

    /**
     * As above, for a table whose loads read more columns than its writes bind ({@code readColumns}, the written ones
     * first): columns that rows written by an earlier version still use.
     */
    protected KeyedTableStore(DataSource dataSource, SqlDialect dialect, StoreCutoff cutoff, String table,
                              String columns, String readColumns, Function<Generation, String> mapOf,
                              RowKeys<K> keys) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.cutoff = cutoff;
        this.table = table;
        this.columns = columns;
        this.mapOf = mapOf;
        this.keys = keys;
        this.loadSql = "SELECT " + Arrays.stream(readColumns.split(", ")).map(column -> "t." + column)
                .collect(Collectors.joining(", ")) + " FROM UNNEST(?, ?) AS k(project, profile_id) JOIN " + table
                + " t ON t.project = k.project AND t.profile_id = k.profile_id AND t.generation = ?";
    }

    /** How a map's keys name rows of a table keyed by {@code (project, profile_id)}, both ways. */
    public interface RowKeys<K> {
        /** The row of {@code key}: its project and profile id. */
        ProfileKey rowOf(K key);

        /** The map key of a row. */
        K keyOf(String project, String profileId);
    }

    /** Maps keyed by profile. */
    public static final RowKeys<ProfileKey> BY_PROFILE = new RowKeys<>() {
        @Override
        public ProfileKey rowOf(ProfileKey key) {
            return key;
        }

        @Override
        public ProfileKey keyOf(String project, String profileId) {
            return new ProfileKey(project, profileId);
        }
    };

    /** Maps keyed by raw id ({@code project␟typed id}, {@link com.profilegrid.model.GridMaps#projectKey}). */
    public static final RowKeys<String> BY_RAW_ID = new RowKeys<>() {
        @Override
        public ProfileKey rowOf(String key) {
            return new ProfileKey(GridMaps.projectOf(key), GridMaps.idOf(key));
        }

        @Override
        public String keyOf(String project, String profileId) {
            return GridMaps.projectKey(project, profileId);
        }
    };

    /** The row of {@code key}: its project and profile id. */
    protected final ProfileKey rowOf(K key) {
        return keys.rowOf(key);
    }

    private K keyOf(String project, String profileId) {
        return keys.keyOf(project, profileId);
    }

    /** Binds every column, {@code project, profile_id} first. */
    protected abstract void bind(PreparedStatement statement, K key, V value) throws SQLException;

    /** The value of a row of this table. */
    protected abstract V read(ResultSet row) throws SQLException;

    @Override
    public void init(HazelcastInstance hazelcastInstance, Properties properties, String name) {
        this.member = hazelcastInstance;
        this.mapName = name;
        this.own = generationOfMap(name);
        this.migrations = hazelcastInstance.getPartitionService().addMigrationListener(new MigrationListener() {
            @Override
            public void migrationStarted(MigrationState state) {
                known.forgetAll();
            }

            @Override
            public void migrationFinished(MigrationState state) {
                known.forgetAll();
            }

            @Override
            public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
                known.forgetAll();
            }

            @Override
            public void replicaMigrationFailed(ReplicaMigrationEvent event) {
                known.forgetAll();
            }
        });
    }

    @Override
    public void destroy() {
        // the pool belongs to the node; the member's read-ahead registry still names this store, so what it kept goes
        known.forgetAll();
        UUID registration = migrations;
        HazelcastInstance on = member;
        if (registration != null && on != null) {
            try {
                on.getPartitionService().removeMigrationListener(registration);
            } catch (HazelcastInstanceNotActiveException e) {
                // the member is gone, and its listeners with it
            }
        }
    }

    @Override
    public void store(K key, V value) {
        storeAll(Map.of(key, value));
    }

    @Override
    public void storeAll(Map<K, V> all) {
        List<K> keys = active(kept(all.keySet()));
        if (keys.isEmpty()) {
            return;
        }
        int count = columns.split(", ").length;
        String placeholders = String.join(", ", java.util.Collections.nCopies(count + 1, "?"));
        ToIntFunction<K> generationOf = generations();
        known.writeStarts(keys);
        try {
            inTransaction("store " + keys.size() + " rows of " + table, connection -> {
                try (PreparedStatement upsert = connection.prepareStatement(
                        dialect.upsertByProfileKey(table, columns + ", generation", placeholders))) {
                    for (K key : keys) {
                        bind(upsert, key, all.get(key));
                        upsert.setInt(count + 1, generationOf.applyAsInt(key));
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                }
                return null;
            });
        } finally {
            known.writeEnds(keys);
        }
    }

    @Override
    public void delete(K key) {
        deleteAll(List.of(key));
    }

    @Override
    public void deleteAll(Collection<K> all) {
        List<K> keys = active(kept(all));
        if (keys.isEmpty()) {
            return;
        }
        ToIntFunction<K> generationOf = generations();
        known.writeStarts(keys);
        try {
            inTransaction("delete " + keys.size() + " rows of " + table, connection -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM " + table + " WHERE project = ? AND profile_id = ? AND generation = ?")) {
                    for (K key : keys) {
                        ProfileKey row = rowOf(key);
                        delete.setString(1, row.project());
                        delete.setString(2, row.profileId());
                        delete.setInt(3, generationOf.applyAsInt(key));
                        delete.addBatch();
                    }
                    delete.executeBatch();
                }
                return null;
            });
        } finally {
            known.writeEnds(keys);
        }
    }

    @Override
    public V load(K key) {
        return loadAll(List.of(key)).get(key);
    }

    /**
     * The rows of {@code keys}: what this store knows from a moment ago is answered without a query
     * ({@link KnownRows}); the rest is loaded together with the loads of other partitions asked at the same moment
     * ({@link CoalescedLoads}).
     */
    @Override
    public Map<K, V> loadAll(Collection<K> keys) {
        Map<K, V> found = new HashMap<>();
        List<K> asked = known.answer(active(keys), found);
        if (asked.isEmpty()) {
            return found;
        }
        if (ThreadUtil.isRunningOnPartitionThread()) {
            partitionThreadLoads.addAndGet(asked.size());
        }
        KnownRows.Ticket ticket = known.ticket();
        Map<K, V> loaded = loads.load(asked);
        known.keep(ticket, asked, loaded, false);
        found.putAll(loaded);
        return found;
    }

    /**
     * Reads ahead, in one query, the rows of those of {@code keys} this member owns and does not hold in memory
     * ({@link LocalEntries}, asked with the serialized keys and partitions the batch found once; those it wrote lately
     * are left out before that, see {@link KnownRows#writtenWithin}), for the loads of a map step's
     * batch that follow ({@link KnownRows}); the returned handle forgets what they did not use. Keys of other members
     * are loaded there as usual. When the batches' entries are nearly all in memory (the loads that followed the last
     * read-aheads used less than {@link #PREFETCH_USEFUL} of what they read), only one batch in
     * {@link #PREFETCH_PROBE} reads ahead, to notice when that changes.
     */
    public Runnable prefetch(KeysByPartition<K> keys) {
        if (prefetchUse < PREFETCH_USEFUL && prefetchSkips.incrementAndGet() % PREFETCH_PROBE != 0) {
            return () -> { };
        }
        LocalEntries entries = localEntries();
        if (entries == null) {
            return () -> { };
        }
        long answeredBefore = known.answered();
        List<K> local = new ArrayList<>(keys.size());
        keys.forEach((key, partition, data) -> {
            // an entry this member holds in memory is not loaded: its row is not asked for (a key written lately is
            // such an entry, known without asking the record store)
            if (!known.writtenWithin(key, PREFETCH_SKIP_WRITTEN_NANOS) && entries.ownedAndAbsent(partition, data)) {
                local.add(key);
            }
        });
        List<K> asked = askAhead(local, true);
        if (asked.isEmpty()) {
            return () -> { };
        }
        return () -> {
            double used = (known.answered() - answeredBefore) / (double) asked.size();
            prefetchUse = (prefetchUse + used) / 2;
            known.forget(asked);
        };
    }

    /**
     * Reads ahead, in one query, the rows of those of {@code keys} this member owns, whatever the batches' use of
     * read-aheads: for a load that is about to ask this store's map for keys known not to be in memory (a reader's
     * load of a cold profile, a label timer, a backfill), so that the map's operation, which runs its loads on a
     * partition thread (the state maps do not offload them), answers them from here instead of querying the database
     * there. The returned handle forgets what was not used. A database that cannot answer fails here, off the
     * partition threads.
     *
     * @throws ProfileStoreException when the database cannot be read
     */
    public Runnable readAhead(Collection<K> keys) {
        LocalEntries entries = localEntries();
        if (entries == null) {
            return () -> { };
        }
        List<K> local = new ArrayList<>(keys.size());
        for (K key : keys) {
            if (entries.ownedAndAbsent(key)) {
                local.add(key);
            }
        }
        List<K> asked = askAhead(local, false);
        return asked.isEmpty() ? () -> { } : () -> known.forget(asked);
    }

    /** Keys this store asked the database for in read-aheads so far. */
    public long rowsAskedAhead() {
        return rowsAskedAhead.get();
    }

    /** Keys this store asked the database for on a partition thread so far. */
    public long partitionThreadLoads() {
        return partitionThreadLoads.get();
    }

    /** The member's view of this map's entries, or {@code null} outside a member. */
    private LocalEntries localEntries() {
        HazelcastInstance on = member;
        if (on == null) {
            return null;
        }
        LocalEntries entries = localEntries;
        if (entries == null) {
            entries = LocalEntries.of(on, mapName);
            localEntries = entries;
        }
        return entries;
    }

    /**
     * Queries the rows of {@code local} (keys this member owns and does not hold in memory, {@link LocalEntries}) and
     * keeps them for the loads that follow; the keys it asked for. A map step's batch goes on without when the database
     * cannot answer ({@code orGoOn}), and what it must load then fails where it loads.
     */
    private List<K> askAhead(List<K> local, boolean orGoOn) {
        List<K> asked = active(local);
        if (asked.isEmpty()) {
            return asked;
        }
        KnownRows.Ticket ticket = known.ticket();
        rowsAskedAhead.addAndGet(asked.size());
        try {
            known.keep(ticket, asked, query(asked), true);
        } catch (ProfileStoreException e) {
            if (!orGoOn) {
                throw e;
            }
            // the database is down or slow: the batch goes on from memory, and what it must load fails there
            return List.of();
        }
        return asked;
    }

    /** The rows of {@code keys}, each asked of the database (for a loader that only reads this table). */
    private Map<K, V> loadAsked(Collection<K> keys) {
        List<K> asked = active(keys);
        return asked.isEmpty() ? new HashMap<>() : loads.load(asked);
    }

    private Map<K, V> query(List<K> keys) {
        Map<K, V> found = new HashMap<>();
        Map<Integer, List<K>> byGeneration = new HashMap<>();
        ToIntFunction<K> generationOf = generations();
        keys.forEach(key -> byGeneration.computeIfAbsent(generationOf.applyAsInt(key), ignored -> new ArrayList<>()).add(key));
        byGeneration.forEach((generation, some) -> {
            for (int from = 0; from < some.size(); from += LOAD_CHUNK) {
                found.putAll(loadChunk(some.subList(from, Math.min(some.size(), from + LOAD_CHUNK)), generation));
            }
        });
        return found;
    }

    /**
     * Rows by key, the keys given as two array parameters joined to the table: one statement text whatever the count,
     * planned by both databases as one primary-key lookup per key. (A list of {@code (project, profile_id)} pairs
     * made PostgreSQL plan one bitmap scan per pair, about 13 ms to plan and 15 ms to run for 200 keys; a list of ids
     * under one project made H2 scan the whole project.)
     */
    private Map<K, V> loadChunk(List<K> keys, int generation) {
        String[] projects = new String[keys.size()];
        String[] ids = new String[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            ProfileKey row = rowOf(keys.get(i));
            projects[i] = row.project();
            ids[i] = row.profileId();
        }
        return query("load " + keys.size() + " rows of " + table, connection -> {
            Map<K, V> found = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(loadSql)) {
                select.setArray(1, connection.createArrayOf("VARCHAR", projects));
                select.setArray(2, connection.createArrayOf("VARCHAR", ids));
                select.setInt(3, generation);
                try (ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        found.put(keyOf(result.getString("project"), result.getString("profile_id")), read(result));
                    }
                }
            }
            return found;
        });
    }

    /** No keys are preloaded at start: entries are loaded on first access. */
    @Override
    public Iterable<K> loadAllKeys() {
        return null;
    }

    /** This store as a loader only: the map reads the table but never writes it (another map's store does). */
    public MapLoader<K, V> readOnly() {
        return new ReadOnly<>(this);
    }

    private List<K> active(Collection<K> keys) {
        if (member == null) {
            return new ArrayList<>(keys);
        }
        Map<String, Boolean> activeFor = new HashMap<>();
        List<K> active = new ArrayList<>(keys.size());
        for (K key : keys) {
            if (activeFor.computeIfAbsent(rowOf(key).project(), this::activeFor)) {
                active.add(key);
            }
        }
        return active;
    }

    private Collection<K> kept(Collection<K> keys) {
        if (!cutoff.engaged()) {
            return keys;
        }
        List<K> kept = new ArrayList<>(keys.size());
        for (K key : keys) {
            if (!cutoff.drops(key)) {
                kept.add(key);
            }
        }
        return kept;
    }

    /**
     * The generation whose rows each key reads and writes: this map's in a member; outside one, the generation the
     * key's project's readers use, as the {@code grid_meta} table names it.
     */
    private ToIntFunction<K> generations() {
        if (member != null) {
            int generation = own;
            return key -> generation;
        }
        Map<String, Integer> meta = new MetaTable(dataSource).load();
        int shared = meta.getOrDefault(Generation.ACTIVE_KEY, 0);
        return key -> meta.getOrDefault(Generation.PROJECT_KEY_PREFIX + rowOf(key).project(), shared);
    }

    /** The generation a map of this kind named {@code name} belongs to: {@code -g<n>} ends its name after generation 0. */
    private int generationOfMap(String name) {
        java.util.regex.Matcher suffix = java.util.regex.Pattern.compile("-g(\\d+)$").matcher(name);
        int number = suffix.find() ? Integer.parseInt(suffix.group(1)) : 0;
        if (!mapOf.apply(new Generation(number)).equals(name)) {
            throw new IllegalArgumentException("map " + name + " is not a generation of this store's kind of map");
        }
        return number;
    }

    /** Whether this map reads and writes {@code project}'s rows: unless its readers use a newer generation. */
    private boolean activeFor(String project) {
        try {
            boolean active = activeGeneration(project).number() <= own;
            lastAnswers.put(project, active);
            return active;
        } catch (HazelcastInstanceNotActiveException e) {
            Boolean last = lastAnswers.get(project);
            if (last == null) {
                throw e;
            }
            return last;
        }
    }

    /**
     * The generation readers of {@code project} use: from the member's copy of the meta map on a partition thread (an
     * entry processor's backup loading its entry, or a map that does not offload its loads), which must not make a
     * remote call; from the meta map elsewhere.
     */
    private Generation activeGeneration(String project) {
        if (ThreadUtil.isRunningOnPartitionThread()) {
            ActiveGenerations copy = ActiveGenerations.of(member);
            Generation active = copy == null ? null : copy.active(project);
            if (active == null) {
                // the member's copy starts following the meta map just after the member starts: Hazelcast runs the
                // operation again a little later (a guess here could load the wrong generation's rows, or none)
                throw new RetryableHazelcastException("the member does not follow the generations in use yet");
            }
            return active;
        }
        return Generation.active(member, project);
    }

    /** One statement in auto-commit: a read needs no transaction of its own. */
    private <T> T query(String what, Transactions.Work<T> work) {
        try {
            return Transactions.autoCommit(dataSource, work);
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot " + what, e);
        }
    }

    private <T> T inTransaction(String what, Transactions.Work<T> work) {
        try {
            return Transactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot " + what, e);
        }
    }

    private record ReadOnly<K, V>(KeyedTableStore<K, V> store) implements MapLoader<K, V>, MapLoaderLifecycleSupport {

        @Override
        public V load(K key) {
            return loadAll(List.of(key)).get(key);
        }

        @Override
        public Map<K, V> loadAll(Collection<K> keys) {
            // never from what the store knows (KnownRows): the table is written through another map, whose writes
            // this store does not see
            return store.loadAsked(keys);
        }

        @Override
        public Iterable<K> loadAllKeys() {
            return null;
        }

        @Override
        public void init(HazelcastInstance hazelcastInstance, Properties properties, String mapName) {
            store.init(hazelcastInstance, properties, mapName);
        }

        @Override
        public void destroy() {
            store.destroy();
        }
    }
}
