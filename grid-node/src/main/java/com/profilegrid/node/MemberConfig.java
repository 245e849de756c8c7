package com.profilegrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.map.MapStoreFactory;
import com.profilegrid.node.store.StorePrefetch;
import com.profilegrid.pipelines.state.StatePrefetch;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.DeadLetterStore;
import com.profilegrid.node.store.IdentityRefusalStore;
import com.profilegrid.node.store.DefinitionStore;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import com.profilegrid.model.GridMaps;
import com.profilegrid.node.store.FromStateLoader;
import com.profilegrid.node.store.IdIndexStore;
import com.profilegrid.node.store.ProfileMapStore;
import com.profilegrid.node.store.ProfileStateStore;
import com.profilegrid.node.store.RawIdStore;
import com.profilegrid.node.store.SqlDialect;
import com.profilegrid.node.store.StoreCutoff;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.RawIdEntry;
import com.profilegrid.pipelines.state.StatePipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Builds the member {@link Config}: the YAML with its placeholders filled, and the MapStore wired to the database. */
public final class MemberConfig {

    public static final String PROFILES_MAP = com.profilegrid.model.GridMaps.PROFILES;
    /** The map config of every generation of the profiles map. */
    static final String PROFILES_PATTERN = PROFILES_MAP + "*";
    static final String PACKAGED_YAML = "profilegrid/hazelcast.yaml";

    private MemberConfig() {
    }

    /** The member YAML (the given file, or the packaged default) with the settings' values filled in. */
    public static Config load(NodeSettings settings) {
        try (InputStream yaml = open(settings)) {
            Config config = new YamlConfigBuilder(yaml).setProperties(settings.yamlProperties()).build();
            if (!config.getMapConfigs().containsKey(PROFILES_PATTERN)) {
                throw new InvalidConfigurationException("member YAML has no '" + PROFILES_PATTERN + "' map");
            }
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read member config " + settings.configFile(), e);
        }
    }

    /** The database settings of the profiles map store, as the YAML (or the launcher through it) gives them. */
    public static Database.Settings databaseSettings(Config config) {
        var properties = config.getMapConfigs().get(PROFILES_PATTERN).getMapStoreConfig().getProperties();
        String url = properties.getProperty("jdbc-url", "");
        if (url.isBlank()) {
            throw new InvalidConfigurationException("map-store property jdbc-url of '" + PROFILES_MAP + "' is empty");
        }
        String schema = properties.getProperty("jdbc-schema", "");
        return new Database.Settings(url,
                properties.getProperty("jdbc-user", ""),
                properties.getProperty("jdbc-password", ""),
                schema.isBlank() ? null : schema,
                Integer.parseInt(properties.getProperty("jdbc-pool-size", "8")));
    }

    /** Wires the JDBC stores of the profile state maps to {@code database}. */
    public static Config withProfileStore(Config config, Database database) {
        return withProfileStore(config, database, new StoreCutoff());
    }

    /**
     * The profile state maps of every generation load from and store in {@code database}, until the node cuts them
     * off with {@code cutoff}: raw ids and profile states write their tables (write-behind); the readers' profiles and
     * the id index load through those state maps (which load from the tables) and write nothing.
     */
    public static Config withProfileStore(Config config, Database database, StoreCutoff cutoff) {
        javax.sql.DataSource dataSource = database.dataSource();
        SqlDialect dialect = database.dialect();
        // the map steps read a batch's stored entries ahead through the stores, one query per batch (StatePrefetch)
        StorePrefetch prefetch = new StorePrefetch();
        config.getUserContext().put(StatePrefetch.USER_CONTEXT_KEY, prefetch);
        store(config, StatePipeline.Maps.RAW_IDS, (MapStoreFactory<String, RawIdEntry>) (name, properties) ->
                prefetch.register(name, new RawIdStore(dataSource, dialect, cutoff)));
        store(config, StatePipeline.Maps.STATES, (MapStoreFactory<ProfileKey, ProfileState>) (name, properties) ->
                prefetch.register(name, new ProfileStateStore(dataSource, dialect, cutoff)));
        // the readers' maps load through the state maps that write their tables (see FromStateLoader)
        store(config, PROFILES_MAP, (MapStoreFactory<ProfileKey, Profile>) (name, properties) ->
                new FromStateLoader<ProfileKey, Profile, ProfileState>(PROFILES_MAP, StatePipeline.Maps.STATES,
                        // a member chunk of a hot profile is state, not a profile readers can ask for
                        state -> ProfileState.isMembers(state.profile().key()) ? null : state.profile(),
                        new ProfileMapStore(dataSource, dialect).readOnly(), prefetch));
        store(config, GridMaps.PROFILE_IDS, (MapStoreFactory<String, String>) (name, properties) ->
                new FromStateLoader<String, String, RawIdEntry>(GridMaps.PROFILE_IDS, StatePipeline.Maps.RAW_IDS,
                        RawIdEntry::currentProfileId, new IdIndexStore(dataSource, dialect).readOnly(), prefetch));
        config.getMapConfig(DeadLetter.MAP).getMapStoreConfig().setEnabled(true)
                .setImplementation(new DeadLetterStore(dataSource, dialect));
        config.getMapConfig(GridMaps.IDENTITY_REFUSALS).getMapStoreConfig().setEnabled(true)
                .setImplementation(new IdentityRefusalStore(dataSource, dialect));
        config.getMapConfig(LabelDefinition.MAP).getMapStoreConfig().setEnabled(true)
                .setImplementation(DefinitionStore.labels(dataSource, dialect));
        config.getMapConfig(TriggerDefinition.MAP).getMapStoreConfig().setEnabled(true)
                .setImplementation(DefinitionStore.triggers(dataSource, dialect));
        return config;
    }

    private static void store(Config config, String mapPrefix, MapStoreFactory<?, ?> factory) {
        var mapConfig = config.getMapConfigs().get(mapPrefix + "*");
        if (mapConfig == null) {
            throw new InvalidConfigurationException("member YAML has no '" + mapPrefix + "*' map");
        }
        mapConfig.getMapStoreConfig().setEnabled(true).setFactoryImplementation(factory);
    }

    private static InputStream open(NodeSettings settings) throws IOException {
        if (settings.configFile() != null) {
            return Files.newInputStream(settings.configFile());
        }
        InputStream packaged = MemberConfig.class.getClassLoader().getResourceAsStream(PACKAGED_YAML);
        if (packaged == null) {
            throw new IOException("packaged " + PACKAGED_YAML + " is missing from the classpath");
        }
        return packaged;
    }
}
