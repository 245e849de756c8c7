package com.profilegrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.map.MapStoreFactory;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.DeadLetterStore;
import com.profilegrid.node.store.ProfileMapStore;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.node.store.StoreCutoff;

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

    /** Wires the write-behind JDBC store of the profiles map to {@code database}. */
    public static Config withProfileStore(Config config, Database database) {
        return withProfileStore(config, database, new StoreCutoff());
    }

    /** The profiles maps store in {@code database}, until the node cuts them off with {@code cutoff}. */
    public static Config withProfileStore(Config config, Database database, StoreCutoff cutoff) {
        MapStoreConfig store = config.getMapConfigs().get(PROFILES_PATTERN).getMapStoreConfig();
        store.setEnabled(true).setFactoryImplementation((MapStoreFactory<ProfileKey, Profile>) (mapName, properties) ->
                new ProfileMapStore(database.dataSource(), database.dialect(), cutoff));
        config.getMapConfig(DeadLetter.MAP).getMapStoreConfig().setEnabled(true)
                .setImplementation(new DeadLetterStore(database.dataSource(), database.dialect()));
        return config;
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
