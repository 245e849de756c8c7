package com.profilegrid.node;

import com.profilegrid.node.triggers.TriggerSettings;
import com.profilegrid.pipelines.fold.FoldSettings;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Everything a grid node is started with. The launcher fills it from flags, {@code PROFILEGRID_*}
 * environment variables and defaults (in that order of precedence); tests build it directly.
 *
 * @param configFile             member YAML; {@code null} takes the packaged {@code hazelcast.yaml}
 * @param clusterName            Hazelcast cluster name
 * @param bindAddress            interface the member binds to (never 0.0.0.0)
 * @param hazelcastPort          member port
 * @param members                comma-separated TCP/IP member list ({@code host} or {@code host:port})
 * @param httpHost               interface the HTTP server binds to
 * @param httpPort               HTTP port (0 picks a free one)
 * @param dataDir                where the embedded database and local files live
 * @param dbUrl                  JDBC URL; {@code null} is the embedded H2 database in {@code dataDir}
 * @param dbUser                 database user
 * @param dbPassword             database password
 * @param dbSchema               database schema, or {@code null} for the default
 * @param dbPoolSize             pooled connections
 * @param profilesMaxHeapPercent the profile heap budget: the share of the heap all profile state may use (backups
 *                               included) before it evicts to the database
 * @param writeDelaySeconds      write-behind delay of the profiles map
 * @param demo                   write a small demo data set after start
 * @param ingest                 limits of the tracking path
 * @param adminToken             bearer token of the admin API; blank generates one into {@code dataDir/admin-token}
 * @param fold                   how events fold into profiles (visit gap, recent events kept); the profile job takes
 *                               the values of the node that starts it, so give every node of a cluster the same
 * @param triggers               webhook delivery
 * @param overload               overload thresholds
 * @param role                   what the node does: everything, tracking alone, or profiles alone
 */
public record NodeSettings(
        Path configFile,
        String clusterName,
        String bindAddress,
        int hazelcastPort,
        String members,
        String httpHost,
        int httpPort,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String dbSchema,
        int dbPoolSize,
        int profilesMaxHeapPercent,
        int writeDelaySeconds,
        boolean demo,
        IngestSettings ingest,
        String adminToken,
        FoldSettings fold,
        TriggerSettings triggers,
        com.profilegrid.node.ops.OverloadSettings overload,
        NodeRole role) {

    public NodeSettings {
        role = role == null ? NodeRole.ALL : role;
    }

    /** Settings of a node with {@link NodeRole#ALL every role}. */
    public NodeSettings(Path configFile, String clusterName, String bindAddress, int hazelcastPort, String members,
                        String httpHost, int httpPort, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                        String dbSchema, int dbPoolSize, int profilesMaxHeapPercent, int writeDelaySeconds, boolean demo,
                        IngestSettings ingest, String adminToken, FoldSettings fold, TriggerSettings triggers,
                        com.profilegrid.node.ops.OverloadSettings overload) {
        this(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir, dbUrl, dbUser,
                dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest, adminToken,
                fold, triggers, overload, NodeRole.ALL);
    }

    /** Settings with the default overload thresholds. */
    public NodeSettings(Path configFile, String clusterName, String bindAddress, int hazelcastPort, String members,
                        String httpHost, int httpPort, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                        String dbSchema, int dbPoolSize, int profilesMaxHeapPercent, int writeDelaySeconds, boolean demo,
                        IngestSettings ingest, String adminToken, FoldSettings fold, TriggerSettings triggers) {
        this(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir, dbUrl, dbUser,
                dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest, adminToken,
                fold, triggers, com.profilegrid.node.ops.OverloadSettings.DEFAULTS);
    }

    /** Settings with the default webhook delivery. */
    public NodeSettings(Path configFile, String clusterName, String bindAddress, int hazelcastPort, String members,
                        String httpHost, int httpPort, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                        String dbSchema, int dbPoolSize, int profilesMaxHeapPercent, int writeDelaySeconds, boolean demo,
                        IngestSettings ingest, String adminToken, FoldSettings fold) {
        this(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir, dbUrl, dbUser,
                dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest, adminToken,
                fold, TriggerSettings.defaults());
    }

    /** Settings with the default fold. */
    public NodeSettings(Path configFile, String clusterName, String bindAddress, int hazelcastPort, String members,
                        String httpHost, int httpPort, Path dataDir, String dbUrl, String dbUser, String dbPassword,
                        String dbSchema, int dbPoolSize, int profilesMaxHeapPercent, int writeDelaySeconds, boolean demo,
                        IngestSettings ingest, String adminToken) {
        this(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir, dbUrl, dbUser,
                dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest, adminToken,
                FoldSettings.DEFAULTS);
    }

    /** The same settings with another fold. */
    public NodeSettings withFold(FoldSettings newFold) {
        return new NodeSettings(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir,
                dbUrl, dbUser, dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest,
                adminToken, newFold, triggers, overload, role);
    }

    /** The same settings with another webhook delivery. */
    public NodeSettings withTriggers(TriggerSettings newTriggers) {
        return new NodeSettings(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir,
                dbUrl, dbUser, dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest,
                adminToken, fold, newTriggers, overload, role);
    }

    /** The same settings with other overload thresholds. */
    public NodeSettings withOverload(com.profilegrid.node.ops.OverloadSettings newOverload) {
        return new NodeSettings(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir,
                dbUrl, dbUser, dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest,
                adminToken, fold, triggers, newOverload, role);
    }

    /** The same settings with another role. */
    public NodeSettings withRole(NodeRole newRole) {
        return new NodeSettings(configFile, clusterName, bindAddress, hazelcastPort, members, httpHost, httpPort, dataDir,
                dbUrl, dbUser, dbPassword, dbSchema, dbPoolSize, profilesMaxHeapPercent, writeDelaySeconds, demo, ingest,
                adminToken, fold, triggers, overload, newRole);
    }

    /** The embedded database: H2 in the data directory, shared by nodes on one machine through AUTO_SERVER. */
    public String effectiveDbUrl() {
        if (dbUrl != null && !dbUrl.isBlank()) {
            return dbUrl;
        }
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("profilegrid") + ";AUTO_SERVER=TRUE";
    }

    /**
     * The node's own spool directory: stable across restarts of the node at this address. A member is named by its
     * member address; a tracking node, which has none, by its HTTP address.
     */
    public Path spoolDir() {
        return dataDir.resolve("spool").resolve(role == NodeRole.TRACKING ? "tracking-" + httpHost + "-" + httpPort
                : bindAddress + "-" + hazelcastPort);
    }

    /** The node's name as a tracking-log writer (in {@code log_shards}): its address, as {@link #spoolDir()}. */
    public String writerName() {
        return role == NodeRole.TRACKING ? "tracking@" + httpHost + ":" + httpPort : bindAddress + ":" + hazelcastPort;
    }

    public String effectiveMembers() {
        return members == null || members.isBlank() ? bindAddress + ":" + hazelcastPort : members;
    }

    /**
     * How the profile heap budget ({@code budgetPercent} of the heap) is split between the maps that hold profile state,
     * as whole percents of the heap (at least 1 each): the raw ids and the profile states take most (each holds every
     * event's fold once), the readers' profiles less (a read-through cache of the profile states, holding only what was
     * read since its last change), the id index least (an id and a profile id per entry, also only what was read).
     */
    static java.util.Map<String, Integer> stateShares(int budgetPercent) {
        java.util.Map<String, Integer> shares = new java.util.LinkedHashMap<>();
        shares.put("raw-ids", Math.max(1, budgetPercent * 40 / 100));
        shares.put("profile-state", Math.max(1, budgetPercent * 40 / 100));
        shares.put("profiles", Math.max(1, budgetPercent * 14 / 100));
        shares.put("profile-ids", Math.max(1, budgetPercent * 6 / 100));
        return shares;
    }

    /** Values for the {@code ${profilegrid.*}} placeholders of the member YAML. */
    public Properties yamlProperties() {
        Properties values = new Properties();
        values.setProperty("profilegrid.cluster-name", clusterName);
        values.setProperty("profilegrid.instance-name", "profilegrid-" + bindAddress + "-" + hazelcastPort);
        values.setProperty("profilegrid.hazelcast.port", Integer.toString(hazelcastPort));
        values.setProperty("profilegrid.bind.interface", bindAddress);
        values.setProperty("profilegrid.members", effectiveMembers());
        stateShares(profilesMaxHeapPercent).forEach((map, percent) ->
                values.setProperty("profilegrid.state." + map + ".max-heap-percent", Integer.toString(percent)));
        values.setProperty("profilegrid.profiles.write-delay-seconds", Integer.toString(writeDelaySeconds));
        values.setProperty("profilegrid.db.url", effectiveDbUrl());
        values.setProperty("profilegrid.db.user", dbUser == null ? "" : dbUser);
        values.setProperty("profilegrid.db.password", dbPassword == null ? "" : dbPassword);
        values.setProperty("profilegrid.db.schema", dbSchema == null ? "" : dbSchema);
        values.setProperty("profilegrid.db.pool-size", Integer.toString(dbPoolSize));
        return values;
    }
}
