package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.MapLoaderLifecycleSupport;
import com.hazelcast.map.MapStore;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Write-behind JDBC store of the {@code profiles} map: batched idempotent upserts, load on miss.
 *
 * <p>Persisted profiles are a derived view of the tracking log, so a lost write-behind batch is repaired
 * by reconciliation from the log; failures are still never swallowed: they propagate to Hazelcast,
 * which keeps the entries queued and retries.
 */
public final class ProfileMapStore implements MapStore<ProfileKey, Profile>, MapLoaderLifecycleSupport {

    /** Keys per SELECT when loading many profiles at once. */
    private static final int LOAD_CHUNK = 200;
    private static final String SELECT = "SELECT " + ProfileRows.COLUMNS + " FROM profiles ";

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final StoreCutoff cutoff;
    private final ProfileRows rows = new ProfileRows();
    private volatile HazelcastInstance member;
    private volatile String mapName;
    /** The last answer of {@link #activeFor} per project, for the flush at shutdown. */
    private final Map<String, Boolean> lastAnswers = new ConcurrentHashMap<>();

    public ProfileMapStore(DataSource dataSource, SqlDialect dialect) {
        this(dataSource, dialect, new StoreCutoff());
    }

    /** A store that writes nothing more once its node's {@code cutoff} is cut (see {@link StoreCutoff}). */
    public ProfileMapStore(DataSource dataSource, SqlDialect dialect, StoreCutoff cutoff) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.cutoff = cutoff;
    }

    @Override
    public void init(HazelcastInstance hazelcastInstance, Properties properties, String name) {
        this.member = hazelcastInstance;
        this.mapName = name;
    }

    @Override
    public void destroy() {
        // the pool belongs to the node
    }

    /**
     * Only the active generation of the profiles map reads and writes the table, project by project: a map a
     * rebuild is filling starts empty (nothing loads into it) and stores nothing until readers of the project use
     * it, and a retired one stores nothing more. Outside a member (a store used directly) it is always active.
     *
     * <p>While the member shuts down it can no longer read which generation is active, but Hazelcast still
     * flushes its write-behind queue: the last answer seen for each project decides then.
     */
    private <K> List<K> active(Collection<K> items, Function<K, ProfileKey> key) {
        if (member == null) {
            return new ArrayList<>(items);
        }
        Map<String, Boolean> activeFor = new HashMap<>();
        List<K> active = new ArrayList<>(items.size());
        for (K item : items) {
            if (activeFor.computeIfAbsent(key.apply(item).project(), this::activeFor)) {
                active.add(item);
            }
        }
        return active;
    }

    /** What a stopping node's {@link StoreCutoff} lets it still write (everything, while the node runs). */
    private <K> Collection<K> kept(Collection<K> items, Function<K, ProfileKey> key) {
        if (!cutoff.engaged()) {
            return items;
        }
        List<K> kept = new ArrayList<>(items.size());
        for (K item : items) {
            if (!cutoff.drops(key.apply(item))) {
                kept.add(item);
            }
        }
        return kept;
    }

    private boolean activeFor(String project) {
        try {
            boolean active = Generation.active(member, project).profilesMap().equals(mapName);
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

    @Override
    public void store(ProfileKey key, Profile value) {
        storeAll(Map.of(key, value));
    }

    @Override
    public void storeAll(Map<ProfileKey, Profile> all) {
        List<Profile> profiles = active(kept(all.values(), Profile::key), Profile::key);
        if (profiles.isEmpty()) {
            return;
        }
        inTransaction("store " + profiles.size() + " profiles", connection -> {
            try (PreparedStatement upsert = connection.prepareStatement(dialect.upsertProfile())) {
                for (Profile profile : profiles) {
                    rows.bind(upsert, profile);
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void delete(ProfileKey key) {
        deleteAll(List.of(key));
    }

    @Override
    public void deleteAll(Collection<ProfileKey> all) {
        List<ProfileKey> keys = active(kept(all, Function.identity()), Function.identity());
        if (keys.isEmpty()) {
            return;
        }
        inTransaction("delete " + keys.size() + " profiles", connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM profiles WHERE project = ? AND profile_id = ?")) {
                for (ProfileKey key : keys) {
                    delete.setString(1, key.project());
                    delete.setString(2, key.profileId());
                    delete.addBatch();
                }
                delete.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Profile load(ProfileKey key) {
        return loadAll(List.of(key)).get(key);
    }

    @Override
    public Map<ProfileKey, Profile> loadAll(Collection<ProfileKey> keys) {
        Map<ProfileKey, Profile> found = new HashMap<>();
        List<ProfileKey> all = active(keys, Function.identity());
        for (int from = 0; from < all.size(); from += LOAD_CHUNK) {
            List<ProfileKey> chunk = all.subList(from, Math.min(all.size(), from + LOAD_CHUNK));
            found.putAll(loadChunk(chunk));
        }
        return found;
    }

    private Map<ProfileKey, Profile> loadChunk(List<ProfileKey> keys) {
        StringBuilder sql = new StringBuilder(SELECT).append("WHERE (project, profile_id) IN (");
        for (int i = 0; i < keys.size(); i++) {
            sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
        }
        sql.append(')');
        return inTransaction("load " + keys.size() + " profiles", connection -> {
            Map<ProfileKey, Profile> found = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
                int index = 1;
                for (ProfileKey key : keys) {
                    select.setString(index++, key.project());
                    select.setString(index++, key.profileId());
                }
                try (ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        Profile profile = rows.read(result);
                        found.put(profile.key(), profile);
                    }
                }
            }
            return found;
        });
    }

    /**
     * No keys are preloaded at start: profiles are loaded on first access (a cluster may hold fewer
     * profiles than the database, and eviction relies on the same lazy loading).
     */
    @Override
    public Iterable<ProfileKey> loadAllKeys() {
        return null;
    }

    private <T> T inTransaction(String what, Transactions.Work<T> work) {
        try {
            return Transactions.inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw new ProfileStoreException("cannot " + what, e);
        }
    }
}
