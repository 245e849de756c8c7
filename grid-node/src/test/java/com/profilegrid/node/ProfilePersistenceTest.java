package com.profilegrid.node;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.ProfileMapStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static com.hazelcast.test.HazelcastTestSupport.assertClusterSizeEventually;
import static org.assertj.core.api.Assertions.assertThat;

/** The profiles map persists through write-behind and loads on miss, on H2 and on PostgreSQL alike. */
class ProfilePersistenceTest {

    private final TestHazelcastFactory factory = new TestHazelcastFactory();
    private Database.Settings dbSettings;
    private Database database;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws SQLException {
        factory.terminateAll();
        if (database != null) {
            database.close();
            TestDatabases.drop(dbSettings);
        }
    }

    private void openDatabase(TestDatabases kind) {
        dbSettings = kind.fresh(dir);
        database = Database.open(dbSettings);
    }

    private HazelcastInstance[] cluster(int size) {
        String name = TestClusters.uniqueClusterName();
        HazelcastInstance[] members = new HazelcastInstance[size];
        for (int i = 0; i < size; i++) {
            members[i] = factory.newHazelcastInstance(TestClusters.withStore(name, database, dbSettings));
        }
        assertClusterSizeEventually(size, members);
        return members;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_write_behind_is_flushed_then_every_row_equals_its_profile_field_by_field(TestDatabases kind) throws SQLException {
        openDatabase(kind);
        HazelcastInstance[] members = cluster(2);
        IMap<ProfileKey, Profile> map = profiles(members[0]);
        Map<ProfileKey, Profile> written = SampleProfiles.profiles("acme", 2_000);
        map.putAll(written);
        Profile updated = written.get(new ProfileKey("acme", "visitor-1")).withLabel("updated-after-put");
        map.set(updated.key(), updated);
        written.put(updated.key(), updated);

        map.flush();

        Map<ProfileKey, Profile> grid = map.getAll(written.keySet());
        assertThat(grid).isEqualTo(written);
        assertThat(rowCount()).isEqualTo(written.size());
        assertThat(new ProfileMapStore(database.dataSource(), database.dialect()).loadAll(written.keySet()))
                .isEqualTo(grid);
        assertScalarColumnsMatch(grid);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_a_cluster_starts_empty_over_an_existing_database_then_profiles_load_on_miss(TestDatabases kind) {
        openDatabase(kind);
        Map<ProfileKey, Profile> persisted = SampleProfiles.profiles("acme", 500);
        new ProfileMapStore(database.dataSource(), database.dialect()).storeAll(persisted);

        IMap<ProfileKey, Profile> map = profiles(cluster(2)[0]);
        assertThat(map.size()).isZero();

        for (Profile profile : persisted.values()) {
            assertThat(map.get(profile.key())).isEqualTo(profile);
        }
        assertThat(map.size()).isEqualTo(persisted.size());
        assertThat(map.get(new ProfileKey("acme", "nobody"))).isNull();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_the_heap_limit_is_exceeded_then_profiles_are_evicted_and_still_readable(TestDatabases kind) {
        openDatabase(kind);
        Config config = TestClusters.withStore(TestClusters.uniqueClusterName(), database, dbSettings);
        config.getMapConfig(MemberConfig.PROFILES_MAP).getEvictionConfig()
                .setMaxSizePolicy(MaxSizePolicy.USED_HEAP_SIZE).setSize(1);
        IMap<ProfileKey, Profile> map = profiles(factory.newHazelcastInstance(config));
        Map<ProfileKey, Profile> written = SampleProfiles.profiles("acme", 5_000);

        written.values().forEach(profile -> map.set(profile.key(), profile));
        map.flush();

        assertThat(map.size()).as("entries left in memory after eviction").isLessThan(written.size());
        Map<ProfileKey, Profile> read = new HashMap<>();
        written.keySet().forEach(key -> read.put(key, map.get(key)));
        assertThat(read).isEqualTo(written);
    }

    /** The plain columns, read with plain JDBC, without the store's row mapping. */
    private void assertScalarColumnsMatch(Map<ProfileKey, Profile> grid) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT project, profile_id, user_id, visits, first_seen_ms, last_seen_ms, event_counts FROM profiles")) {
            int seen = 0;
            while (rows.next()) {
                Profile profile = grid.get(new ProfileKey(rows.getString(1), rows.getString(2)));
                assertThat(profile).isNotNull();
                assertThat(rows.getString(3)).isEqualTo(profile.identities().userId());
                assertThat(rows.getInt(4)).isEqualTo(profile.visitCount());
                assertThat(toInstant(rows, 5)).isEqualTo(profile.firstSeen());
                assertThat(toInstant(rows, 6)).isEqualTo(profile.lastSeen());
                profile.eventCounts().forEach((name, count) -> {
                    try {
                        assertThat(rows.getString(7)).contains("\"" + name + "\":" + count);
                    } catch (SQLException e) {
                        throw new AssertionError(e);
                    }
                });
                seen++;
            }
            assertThat(seen).isEqualTo(grid.size());
        }
    }

    private static Instant toInstant(ResultSet rows, int column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_the_member_is_shutting_down_then_write_behind_still_stores_what_it_holds(TestDatabases kind) throws SQLException {
        openDatabase(kind);
        HazelcastInstance member = cluster(1)[0];
        ProfileMapStore store = new ProfileMapStore(database.dataSource(), database.dialect());
        store.init(member, new java.util.Properties(), GridMaps.PROFILES);
        Map<ProfileKey, Profile> first = SampleProfiles.profiles("acme", 1);
        store.storeAll(first);
        member.shutdown();

        // what Hazelcast flushes while the member stops: the active generation can no longer be read
        Map<ProfileKey, Profile> last = new HashMap<>(SampleProfiles.profiles("acme", 3));
        store.storeAll(last);

        assertThat(new ProfileMapStore(database.dataSource(), database.dialect()).loadAll(last.keySet())).isEqualTo(last);
    }

    private long rowCount() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM profiles")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static IMap<ProfileKey, Profile> profiles(HazelcastInstance member) {
        return member.getMap(MemberConfig.PROFILES_MAP);
    }
}
