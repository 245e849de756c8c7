package com.profilegrid.node;

import com.hazelcast.config.Config;
import com.profilegrid.node.http.NodeHttp;
import com.profilegrid.node.http.Readiness;
import com.profilegrid.node.ingest.IngestRoutes;
import com.profilegrid.node.log.TrackingLog;
import com.profilegrid.node.ops.NodeFigures;
import com.profilegrid.node.ops.NodeMetrics;
import com.profilegrid.node.ops.StatusRoutes;
import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.node.spool.SpoolReplayer;
import com.profilegrid.node.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node of role {@link NodeRole#TRACKING}: the tracking API over a tracking-log shard and a spool of its own, and
 * nothing else. It is not a Hazelcast member and holds no client of the grid: it reaches the database (its log shard,
 * the project keys) and its own disk (the spool), so a profile member that is stopped, killed, stalled, short of
 * memory or migrating partitions cannot block its acknowledgements. The profile members' pipeline reads its shard like
 * any other member's; the events reach the profiles once a profile member runs.
 *
 * <p>Keys are checked against the database through a cache, with a copy of every key record kept in this process
 * (refreshed every 30 s), so that keys stay checkable while the database is down (the spool takes the events then).
 * There is no profile, label, trigger or admin API here, and no overload shedding tied to profile state (there is
 * none): admission (in-flight requests, per-project rate) and a full spool are what refuse tracking.
 */
public final class TrackingNode implements ProfileGridNode {

    private static final Logger LOG = LoggerFactory.getLogger(TrackingNode.class);

    private final Resources resources;
    private final Readiness readiness;
    private final NodeHttp http;
    private final TrackingPath tracking;
    private final ProjectStore projects;

    private TrackingNode(Resources resources, Readiness readiness, NodeHttp http, TrackingPath tracking,
                         ProjectStore projects) {
        this.resources = resources;
        this.readiness = readiness;
        this.http = http;
        this.tracking = tracking;
        this.projects = projects;
    }

    public static TrackingNode start(NodeSettings settings) {
        if (settings.role() != NodeRole.TRACKING) {
            throw new IllegalArgumentException("a node of role " + settings.role().flag() + " is a GridNode");
        }
        if (settings.demo()) {
            throw new IllegalArgumentException("--demo needs a node that holds profiles: start it with --role all");
        }
        GridNode.createDataDir(settings);
        Clock clock = Clock.systemUTC();
        // the member YAML is read for its database settings only: no member is started from it
        Config config = MemberConfig.load(settings);
        Resources resources = new Resources();
        try {
            resources.open(NodeLock.acquire(settings.spoolDir(), settings.writerName(), settings.httpPort()));
            Database database = resources.open(Database.open(MemberConfig.databaseSettings(config)));
            ProjectStore projects = new ProjectStore(database.dataSource(), clock);
            TrackingPath tracking = TrackingPath.open(settings, database, clock, resources);
            // this process holds the node lock now: any earlier run under this writer's name is gone
            tracking.log().closeAbandonedShards();
            NodeMetrics metrics = resources.open(new NodeMetrics());
            metrics.bindSpool(new NodeFigures(tracking.spool(), settings.httpHost() + ":" + settings.httpPort(),
                    settings.profilesMaxHeapPercent(), clock));
            ProjectKeys keys = resources.open(new ProjectKeys(projects, new ConcurrentHashMap<>()));
            Readiness readiness = resources.open(new Readiness(NodeRole.TRACKING, null, database, tracking.log(),
                    tracking.spool()));
            IngestRoutes ingest = tracking.routes(settings, keys, clock, metrics.registry(), Optional::empty);
            NodeHttp http = resources.open(NodeHttp.start(settings.httpHost(), settings.httpPort(), readiness,
                    NodeRole.TRACKING, List.of(ingest::register, routes -> StatusRoutes.registerMetrics(routes, metrics))));
            LOG.info("Acknowledged events are durable: {}", database.durability());
            LOG.info("ProfileGrid tracking node up: HTTP http://{}:{}/ready, database {}, log shard {} (writer {}); no "
                            + "Hazelcast member: the profiles nodes' pipeline reads this shard", settings.httpHost(),
                    http.port(), database.dialect(), tracking.log().localShard(), settings.writerName());
            return new TrackingNode(resources, readiness, http, tracking, projects);
        } catch (IOException e) {
            resources.close();
            throw new UncheckedIOException("cannot start the node", e);
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    @Override
    public NodeRole role() {
        return NodeRole.TRACKING;
    }

    @Override
    public int httpPort() {
        return http.port();
    }

    @Override
    public TrackingLog trackingLog() {
        return tracking.log();
    }

    @Override
    public Spool spool() {
        return tracking.spool();
    }

    @Override
    public SpoolReplayer replayer() {
        return tracking.replayer();
    }

    @Override
    public ProjectStore projects() {
        return projects;
    }

    /**
     * Reports not ready, answers the requests under way (new ones get 503), commits what the log writer holds and
     * closes its shard; what is still in the spool stays there and is replayed at the next start.
     */
    @Override
    public void close() {
        LOG.info("ProfileGrid tracking node stopping");
        readiness.markStopping();
        resources.close();
        LOG.info("ProfileGrid tracking node stopped");
    }
}
