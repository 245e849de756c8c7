package com.profilegrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.model.Generation;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.demo.DemoData;
import com.profilegrid.node.http.AdminRoutes;
import com.profilegrid.node.http.FiringRoutes;
import com.profilegrid.node.http.LabelQueryRoutes;
import com.profilegrid.node.labels.DefinitionSync;
import com.profilegrid.node.labels.LabelBackfills;
import com.profilegrid.node.labels.LabelMembers;
import com.profilegrid.node.http.LabelRoutes;
import com.profilegrid.node.http.TriggerRoutes;
import com.profilegrid.node.triggers.FiringRecorder;
import com.profilegrid.node.triggers.LabelTimers;
import com.profilegrid.node.triggers.Firings;
import com.profilegrid.node.triggers.WebhookDelivery;
import com.profilegrid.pipelines.rules.ChangeLog;
import com.profilegrid.pipelines.rules.TriggerDefinition;
import com.profilegrid.pipelines.rules.TriggerParser;
import com.profilegrid.pipelines.rules.RuleBook;
import com.profilegrid.pipelines.rules.LabelDefinition;
import com.profilegrid.pipelines.rules.RuleParser;
import com.profilegrid.client.internal.ProfileLookup;
import com.profilegrid.node.http.NodeHttp;
import com.profilegrid.node.http.ProfileRoutes;
import com.profilegrid.node.http.Readiness;
import com.profilegrid.node.ingest.Admission;
import com.profilegrid.node.ingest.IngestRoutes;
import com.profilegrid.node.ingest.Ingestor;
import com.profilegrid.node.ingest.TrackingMetrics;
import com.profilegrid.node.ops.ClusterFigures;
import com.profilegrid.node.ops.NodeFigures;
import com.profilegrid.node.ops.NodeMetrics;
import com.profilegrid.node.ops.Overload;
import com.profilegrid.node.ops.Reconcile;
import com.profilegrid.node.ops.StatusRoutes;
import com.profilegrid.node.support.HeapAdvice;
import com.profilegrid.node.log.JdbcTrackingLog;
import com.profilegrid.node.log.TrackingLog;
import com.profilegrid.node.project.ProjectKeys;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.rebuild.ProfileRebuild;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.node.spool.SpoolReplayer;
import com.profilegrid.node.store.Database;
import com.profilegrid.node.store.DefinitionStore;
import com.profilegrid.node.store.ActiveGenerations;
import com.profilegrid.node.store.DurableProgressStore;
import com.profilegrid.node.store.MetaTable;
import com.profilegrid.node.store.LoadStatusRepair;
import com.profilegrid.node.store.StoreCutoff;
import com.profilegrid.node.store.TableStatistics;
import com.profilegrid.node.rebuild.GenerationSwitch;
import com.profilegrid.pipelines.profile.DurableProgress;
import com.profilegrid.pipelines.state.StatePipeline;
import com.profilegrid.pipelines.profile.DeadLetter;
import com.profilegrid.pipelines.profile.TrackingLogReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.function.Consumer;
import io.javalin.config.RoutesConfig;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running ProfileGrid member: database, tracking log and spool, Hazelcast member, HTTP server. Of role
 * {@link NodeRole#ALL all} it serves tracking and profiles; of role {@link NodeRole#PROFILES profiles} it serves no
 * tracking endpoint (it still opens a tracking path: it reads the log through it, replays a spool an earlier run with
 * tracking left, and writes the demo data). A node of role {@link NodeRole#TRACKING tracking} is a
 * {@link TrackingNode}, no member at all.
 * {@link #close()} is the graceful shutdown: the node reports not ready, stops taking requests, hands its partitions
 * (write-behind queues included) to the other members or, as the last member, flushes write-behind, commits what its
 * log writer holds, then stops.
 * Events still in the spool stay there, fsync'd, and are replayed when the node starts again.
 */
public final class GridNode implements ProfileGridNode {

    private static final Logger LOG = LoggerFactory.getLogger(GridNode.class);
    static final int MIN_COMMON_POOL_PARALLELISM = 2;
    /** How long a stopping node waits for its profile rows to be stored before it looks at why they are not. */
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(20);
    /** How long the last member of a cluster waits for its rows while the database answers but is slow. */
    private static final Duration LAST_MEMBER_FLUSH_LIMIT = Duration.ofMinutes(2);
    private static final Duration DATABASE_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final HazelcastInstance member;
    private final Readiness readiness;
    private final NodeHttp http;
    private final JdbcTrackingLog log;
    private final Spool spool;
    private final SpoolReplayer replayer;
    private final ProjectStore projects;
    private final String adminToken;
    private final AutoCloseable profileWatch;
    private final Overload overload;
    private final NodeRole role;
    /** What to close, last opened first. */
    private final Resources resources;

    private GridNode(Parts parts) {
        this.member = parts.member;
        this.readiness = parts.readiness;
        this.http = parts.http;
        this.log = parts.log;
        this.spool = parts.spool;
        this.replayer = parts.replayer;
        this.projects = parts.projects;
        this.adminToken = parts.adminToken;
        this.profileWatch = parts.profileWatch;
        this.overload = parts.overload;
        this.role = parts.role;
        this.resources = parts.opened;
    }

    /** The parts as they are started, so that a failed start closes what it opened. */
    private static final class Parts {
        final Resources opened = new Resources();
        NodeRole role;
        volatile HazelcastInstance member;
        Readiness readiness;
        NodeHttp http;
        JdbcTrackingLog log;
        Spool spool;
        SpoolReplayer replayer;
        ProjectStore projects;
        String adminToken;
        AutoCloseable profileWatch;
        Overload overload;

        <T extends AutoCloseable> T open(T resource) {
            return opened.open(resource);
        }
    }

    /** Starts a member of role {@link NodeRole#ALL} or {@link NodeRole#PROFILES} (a tracking node is a {@link TrackingNode}). */
    public static GridNode start(NodeSettings settings) {
        if (!settings.role().holdsProfiles()) {
            throw new IllegalArgumentException("a node of role " + settings.role().flag() + " is a TrackingNode");
        }
        warnIfCommonPoolTooSmall();
        createDataDir(settings);
        Clock clock = Clock.systemUTC();
        Config config = MemberConfig.load(settings);
        Parts parts = new Parts();
        parts.role = settings.role();
        try {
            parts.open(NodeLock.acquire(settings.spoolDir(), settings.writerName(), settings.httpPort()));
            Database database = parts.open(Database.open(MemberConfig.databaseSettings(config)));
            parts.projects = new ProjectStore(database.dataSource(), clock);
            parts.adminToken = AdminToken.resolve(settings);
            // a profiles node keeps a tracking path too, taking no tracking: it reads the log through it, replays a spool
            // an earlier run with tracking left, and writes the demo data
            TrackingPath tracking = TrackingPath.open(settings, database, clock, parts.opened);
            parts.log = tracking.log();
            parts.spool = tracking.spool();
            parts.replayer = tracking.replayer();
            Ingestor ingestor = tracking.ingestor();
            NodeMetrics metrics = parts.open(new NodeMetrics());
            NodeFigures figures = new NodeFigures(parts.spool, settings.httpHost() + ":" + settings.httpPort(),
                    settings.profilesMaxHeapPercent(), clock);
            config.getUserContext().put(NodeFigures.USER_CONTEXT_KEY, figures);
            config.getUserContext().put(Reconcile.USER_CONTEXT_KEY, new Reconcile.Access(database.dataSource()));
            metrics.bindNode(figures);

            config.getUserContext().put(TrackingLogReader.USER_CONTEXT_KEY, parts.log);
            DurableProgressStore progress = new DurableProgressStore(database.dataSource(), database.dialect());
            config.getUserContext().put(DurableProgress.USER_CONTEXT_KEY, progress);
            ActiveGenerations generations = new ActiveGenerations();
            config.getUserContext().put(ActiveGenerations.USER_CONTEXT_KEY, generations);
            // the profile step evaluates labels on the partition thread, from this member's copy of the definitions
            RuleBook ruleBook = new RuleBook(settings.fold().visitRetention(), clock);
            // read from the database before the member starts: partitions move to a member as soon as it joins, and
            // the job's steps then run there; a member that knew no labels or triggers yet evaluated none (a profile
            // lost its labels, an event fired no trigger) until it followed the maps
            ruleBook.preload(DefinitionStore.labels(database.dataSource(), database.dialect()).loadAllValues(),
                    DefinitionStore.triggers(database.dataSource(), database.dialect()).loadAllValues());
            config.getUserContext().put(RuleBook.USER_CONTEXT_KEY, ruleBook);
            // firings are decided where label changes are recorded, written before delivery, delivered off the pipeline
            Firings firings = new Firings(database.dataSource(), database.dialect());
            WebhookDelivery delivery = parts.open(new WebhookDelivery(firings, ruleBook::triggersOf, clock,
                    settings.triggers(), (project, body) -> {
                        HazelcastInstance started = parts.member;
                        if (started != null) {
                            started.<String>getReliableTopic(GridMaps.firingsTopic(project)).publishAsync(body);
                        }
                    }, metrics.registry()));
            FiringRecorder recorder = new FiringRecorder(firings, ruleBook, generations::active, clock, delivery,
                    metrics.registry());
            config.getUserContext().put(ChangeLog.USER_CONTEXT_KEY, recorder);
            StoreCutoff storeCutoff = new StoreCutoff();
            parts.member = Hazelcast.newHazelcastInstance(MemberConfig.withProfileStore(config, database, storeCutoff));
            HazelcastInstance member = parts.member;
            figures.attach(member);
            // a partition that moved while a map's first load ran can leave its old owner's replica "still loading"
            parts.open(LoadStatusRepair.start(member));
            // the rule book follows the definitions as early in the member's start as it can: a definition written
            // after the preload above, while the other members did not yet count this one among those to tell
            // (DefinitionSync), is taken in here rather than after the rest of the node's start
            parts.open(ruleBook.watch(member));
            ClusterFigures cluster = parts.open(new ClusterFigures(member, database.dataSource(), firings, clock));
            metrics.bindCluster(cluster, member);
            Overload overload = parts.open(new Overload(member, figures, cluster, firings,
                    settings.ingest().spoolMaxBytes(), settings.overload(), clock, metrics.registry()));
            parts.overload = overload;
            parts.open(generations.watch(member));
            parts.open(new LabelTimers(member, firings, recorder, clock, settings.triggers().labelSweep()));
            parts.open(MembershipLog.follow(member));
            // firings recorded here lease themselves to this member's delivery; when a member leaves, those it had
            // leased are given back at once rather than when their leases end
            parts.open(delivery.follow(member));
            // this process holds the member port now: any earlier run under this writer's name is gone
            parts.log.closeAbandonedShards();
            parts.open(() -> shutdownMember(member, database, storeCutoff, progress));
            // after a full-cluster restart, the generations in use and the jobs' positions come from the database
            GenerationSwitch.restore(member, new MetaTable(database.dataSource()));
            ProfileJob.ensureRunning(member, settings.fold());
            parts.open(progress.checkpointEvery(member, () -> ProfileJob.live(member).keySet()));
            // the oldest member keeps the planner statistics fresh; see TableStatistics for why the node does this
            parts.open(TableStatistics.keepFresh(database, () -> member.getLifecycleService().isRunning()
                    && member.getCluster().getMembers().iterator().next().localMember()));
            parts.profileWatch = parts.open(ProfileJob.watch(member, settings.fold()));
            ProjectKeys keys = parts.open(new ProjectKeys(parts.projects, member.getMap(ProjectKeys.MAP)));
            parts.readiness = parts.open(new Readiness(settings.role(), member, database, parts.log, parts.spool));
            IngestRoutes ingest = tracking.routes(settings, keys, clock, metrics.registry(), overload::shedding);
            ProfileRebuild rebuild = parts.open(new ProfileRebuild(member, database, settings.fold()));
            AdminRoutes admin = new AdminRoutes(parts.projects, keys, rebuild, member.getMap(DeadLetter.MAP),
                    parts.adminToken);
            LabelBackfills backfills = parts.open(new LabelBackfills(member, database.dataSource(), recorder, clock));
            DefinitionSync definitionSync = new DefinitionSync(member);
            LabelRoutes labels = new LabelRoutes(parts.projects, member.getMap(LabelDefinition.MAP),
                    new RuleParser(settings.fold().visitRetention()), clock, backfills, definitionSync);
            TriggerRoutes triggers = new TriggerRoutes(parts.projects, member.getMap(TriggerDefinition.MAP),
                    member.getMap(LabelDefinition.MAP), new TriggerParser(new RuleParser(settings.fold().visitRetention())),
                    clock, definitionSync);
            FiringRoutes firingApi = new FiringRoutes(parts.projects, firings, delivery::wake, clock);
            ProfileRoutes profileApi = new ProfileRoutes(keys, new ProfileLookup(member));
            StatusRoutes status = new StatusRoutes(member, cluster, metrics,
                    new Reconcile(member, database.dataSource(), clock, settings.fold()));
            LabelQueryRoutes labelQueries = new LabelQueryRoutes(keys, member.getMap(LabelDefinition.MAP),
                    new LabelMembers(database.dataSource()));
            List<Consumer<RoutesConfig>> routes = new ArrayList<>(List.of(admin::register, labels::register,
                    triggers::register, firingApi::register, profileApi::register, labelQueries::register,
                    status::register));
            if (settings.role().takesTracking()) {
                routes.add(ingest::register);
            }
            parts.http = parts.open(NodeHttp.start(settings.httpHost(), settings.httpPort(), parts.readiness,
                    settings.role(), routes));
            figures.http(settings.httpHost() + ":" + parts.http.port());
            if (settings.demo()) {
                parts.open(DemoData.start(member, ingestor, parts.projects, database));
            }
            LOG.info("Acknowledged events are durable: {}", database.durability());
            LOG.info("ProfileGrid node up ({} role{}): member {} in cluster '{}', HTTP http://{}:{}/ready, database {}, "
                            + "log shard {}, admin token in {}", settings.role().flag(),
                    settings.role().takesTracking() ? "" : ", no tracking API", member.getCluster().getLocalMember().getAddress(),
                    settings.clusterName(), settings.httpHost(), parts.http.port(), database.dialect(),
                    parts.log.localShard(), settings.adminToken() == null || settings.adminToken().isBlank()
                            ? settings.dataDir().resolve("admin-token") : "PROFILEGRID_ADMIN_TOKEN");
            HeapAdvice.warning(Runtime.getRuntime().maxMemory(),
                    settings.profilesMaxHeapPercent()).ifPresent(LOG::warn);
            return new GridNode(parts);
        } catch (IOException e) {
            parts.opened.close();
            throw new UncheckedIOException("cannot start the node", e);
        } catch (RuntimeException e) {
            parts.opened.close();
            throw e;
        }
    }

    public HazelcastInstance member() {
        return member;
    }

    /** The profiles map of the shared generation (every project's, unless one was rebuilt alone). */
    public IMap<ProfileKey, Profile> profiles() {
        return member.getMap(Generation.active(member).profilesMap());
    }

    /** The profiles map readers of {@code project} use. */
    public IMap<ProfileKey, Profile> profiles(String project) {
        return member.getMap(Generation.active(member, project).profilesMap());
    }

    /**
     * Stores now what the profile state of {@code project}'s generation holds in its write-behind queues (raw ids, then
     * profiles), so that the tables reflect every profile the readers' map shows at the call.
     */
    public void flushProfiles(String project) {
        StatePipeline.Maps.flushState(member, Generation.active(member, project));
    }

    /** This node's overload watch (its thresholds may be changed while it runs). */
    public Overload overload() {
        return overload;
    }

    @Override
    public NodeRole role() {
        return role;
    }

    @Override
    public TrackingLog trackingLog() {
        return log;
    }

    @Override
    public Spool spool() {
        return spool;
    }

    @Override
    public SpoolReplayer replayer() {
        return replayer;
    }

    @Override
    public ProjectStore projects() {
        return projects;
    }

    public String adminToken() {
        return adminToken;
    }

    /**
     * Stops the profile job for the whole cluster and this node's watch over it: for measuring the tracking path
     * alone (profiles stop updating until a node starts the job again).
     */
    public void stopProfileJob() throws Exception {
        profileWatch.close();
        ProfileJob.live(member).keySet().forEach(generation -> ProfileJob.stop(member, generation));
    }

    @Override
    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        LOG.info("ProfileGrid node stopping");
        readiness.markStopping();
        resources.close();
        LOG.info("ProfileGrid node stopped");
    }

    /**
     * Shuts the member down gracefully, with what write-behind still holds stored or handed on. Hazelcast retries a
     * failed store for ever, also inside a member's shutdown (it flushes what its queues still hold, even for
     * partitions that have just moved away), so with the database gone a node would never stop:
     * <ul>
     *   <li>with other members in the cluster, the partitions move to them with their write-behind queues, and they
     *       store those rows (once the database answers); this node writes only rows of partitions it still owns
     *       (see {@link StoreCutoff#leaving}). It does not flush first: a flush's backups clear the queues of the
     *       partitions' next owners whether the store succeeded or not;</li>
     *   <li>as the last member, it flushes, and when that has not finished within {@link #FLUSH_TIMEOUT} it goes on
     *       waiting while the database answers (a slow flush is still a flush), for at most
     *       {@link #LAST_MEMBER_FLUSH_LIMIT}; when the database does not answer, or that time is up, it cuts its
     *       profile stores off ({@link StoreCutoff#cut}) and stops without those rows, which the profile job writes
     *       again when it next folds the log.</li>
     * </ul>
     */
    private static void shutdownMember(HazelcastInstance member, Database database, StoreCutoff storeCutoff,
                                       DurableProgressStore progress) {
        if (!member.getLifecycleService().isRunning()) {
            return;
        }
        int others = member.getCluster().getMembers().size() - 1;
        if (others > 0) {
            checkpointBeforeLeaving(member, database, progress);
            storeCutoff.leaving(member);
            LOG.info("Leaving the cluster: {} other member(s) take over this member's partitions, with their queued "
                    + "profile writes", others);
        } else {
            Runnable storePositions = progress.storeAfterFlush(ProfileJob.live(member).keySet());
            long queued = NodeFigures.writeBehindQueued(member);
            long started = System.nanoTime();
            if (flushAsLastMember(member, database, storeCutoff)) {
                LOG.info("Last member: stored {} queued profile row write(s) in {} ms", queued,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                try {
                    storePositions.run(); // what the flush stored covers them: a restart replays less
                } catch (RuntimeException e) {
                    LOG.warn("Could not store the profile job's positions while stopping; a restart replays from the "
                            + "last checkpoint", e);
                }
            }
        }
        member.shutdown();
        if (storeCutoff.isCut()) {
            LOG.warn("{} profile row writes dropped while stopping", storeCutoff.dropped());
        }
    }

    /**
     * A member that leaves stores the positions its source processors applied, as a checkpoint would (flush first,
     * then the positions; not while partitions move): otherwise they are lost with it, and a full stop, one member
     * after the other, ends with the last member's positions alone. Bounded by {@link #FLUSH_TIMEOUT}; skipped when the
     * database does not answer.
     */
    private static void checkpointBeforeLeaving(HazelcastInstance member, Database database,
                                                DurableProgressStore progress) {
        if (!database.isReachable(DATABASE_CHECK_TIMEOUT)) {
            return;
        }
        FutureTask<Void> checkpoint = inBackground("profilegrid-stop-checkpoint",
                () -> progress.checkpoint(member, ProfileJob.live(member).keySet()));
        if (!finishedWithin(checkpoint, FLUSH_TIMEOUT, "Storing the pipeline positions before leaving")) {
            LOG.info("Leaving without storing this member's pipeline positions: the checkpoint took longer than {}",
                    FLUSH_TIMEOUT);
            checkpoint.cancel(true);
        }
    }

    /** {@code work} run on a daemon thread called {@code name}, to be waited for with a bound. */
    private static FutureTask<Void> inBackground(String name, Runnable work) {
        FutureTask<Void> task = new FutureTask<>(work, null);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** Whether the flush stored everything (not cut off). */
    private static boolean flushAsLastMember(HazelcastInstance member, Database database, StoreCutoff storeCutoff) {
        FutureTask<Void> flush = inBackground("profilegrid-stop-flush", () -> ProfileJob.live(member).keySet()
                .forEach(generation -> StatePipeline.Maps.flushState(member, generation)));
        long giveUpAt = System.nanoTime() + LAST_MEMBER_FLUSH_LIMIT.toNanos();
        boolean flushed = finishedWithin(flush, FLUSH_TIMEOUT, "Write-behind flush");
        while (!flushed && !flush.isDone() && System.nanoTime() < giveUpAt
                && database.isReachable(DATABASE_CHECK_TIMEOUT)) {
            LOG.info("Still storing profile rows before stopping (the database answers; waiting up to {} in all)",
                    LAST_MEMBER_FLUSH_LIMIT);
            flushed = finishedWithin(flush, FLUSH_TIMEOUT, "Write-behind flush");
        }
        if (!flushed) {
            storeCutoff.cut();
            LOG.warn("Profile rows could not be stored (the database {}); this last member stops without them: the "
                            + "profile job writes them again when it next folds the log",
                    System.nanoTime() < giveUpAt ? "does not answer" : "took longer than " + LAST_MEMBER_FLUSH_LIMIT);
            // the flush ends once the store call it waits on gives up on the database
            finishedWithin(flush, FLUSH_TIMEOUT, "Write-behind flush");
        }
        return flushed;
    }

    /** Whether {@code task} ({@code what}, in the log when it fails) finished within {@code timeout}. */
    private static boolean finishedWithin(FutureTask<?> task, Duration timeout, String what) {
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            LOG.warn("{} failed", what, e.getCause());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void warnIfCommonPoolTooSmall() {
        int parallelism = ForkJoinPool.getCommonPoolParallelism();
        if (parallelism < MIN_COMMON_POOL_PARALLELISM) {
            LOG.warn("The JDK common pool has parallelism {}; Hazelcast's async paths slow down badly below {}. "
                            + "Start the JVM with -Djava.util.concurrent.ForkJoinPool.common.parallelism={} or more "
                            + "(bin/profilegrid does).", parallelism, MIN_COMMON_POOL_PARALLELISM,
                    MIN_COMMON_POOL_PARALLELISM);
        }
    }

    static void createDataDir(NodeSettings settings) {
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + settings.dataDir(), e);
        }
    }
}
