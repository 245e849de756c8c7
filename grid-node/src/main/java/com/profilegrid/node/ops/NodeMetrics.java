package com.profilegrid.node.ops;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's metrics in Prometheus' text format ({@code GET /metrics}): the tracking path, the spool, the profile
 * pipeline's lag, write-behind, profile state against its budget, dead letters, label changes, firings and webhooks,
 * safe mode, the JVM (memory, GC, threads, CPU) and Hazelcast (maps, Jet jobs, cluster, migrations).
 *
 * <p>Gauges are read when Prometheus scrapes, from memory: what costs a query or a call to every member is measured
 * by {@link ClusterFigures} in the background. Figures marked "cluster" are the whole cluster's and the same on every
 * node (aggregate them with {@code max}); the others are this node's (aggregate them with {@code sum}).
 */
public final class NodeMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> closers = new ArrayList<>();
    private final ScheduledExecutorService rows;

    public NodeMetrics() {
        registry.config().commonTags("application", "profilegrid");
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        closers.add(gc);
        JvmHeapPressureMetrics pressure = new JvmHeapPressureMetrics();
        pressure.bindTo(registry);
        closers.add(pressure);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        rows = com.profilegrid.node.support.Daemons.scheduler("profilegrid-metrics");
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The metrics now, in Prometheus' text format. */
    public String scrape() {
        return registry.scrape();
    }

    /** This node's own parts: spool, write-behind, profile state and its budget, heap after GC. */
    public void bindNode(NodeFigures node) {
        bindSpool(node);
        Gauge.builder("profilegrid.writebehind.queued", node, NodeFigures::writeBehindQueued)
                .description("Profile rows this member holds queued for the database (write-behind)")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("profilegrid.state.partition.thread.loads", node,
                        NodeFigures::partitionThreadLoads)
                .description("Keys the profile state maps loaded from the database on a partition thread (the state maps "
                        + "do not offload their loads; reads, label timers and backfills read cold rows ahead elsewhere)")
                .register(registry);
        Gauge.builder("profilegrid.profile.state.heap", node, NodeFigures::profileStateHeapBytes)
                .baseUnit(BaseUnits.BYTES)
                .description("Heap this member's profile state takes (owned and backup entries), as Hazelcast costs it")
                .register(registry);
        Gauge.builder("profilegrid.profile.state.budget", node, NodeFigures::profileStateBudgetBytes)
                .baseUnit(BaseUnits.BYTES)
                .description("The profile heap budget of this member (--profiles-max-heap-percent of the heap)")
                .register(registry);
    }

    /** What every node has, a tracking node too: its spool, and the heap after GC. */
    public void bindSpool(NodeFigures node) {
        Gauge.builder("profilegrid.spool", node, NodeFigures::spoolBytes).baseUnit(BaseUnits.BYTES)
                .description("Bytes in this node's spool (events acknowledged while the tracking log was slow or down)")
                .register(registry);
        Gauge.builder("profilegrid.spool.oldest.age", node, NodeFigures::spoolOldestAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest event in this node's spool not yet in the tracking log (0: none)")
                .register(registry);
        Gauge.builder("profilegrid.heap.after.gc", NodeFigures::heapAfterGcBytes).baseUnit(BaseUnits.BYTES)
                .description("Heap in use after the last garbage collection").register(registry);
    }

    /** The cluster's figures, as {@link ClusterFigures} last measured them, and migrations in flight. */
    public void bindCluster(ClusterFigures figures, HazelcastInstance member) {
        MultiGauge lag = MultiGauge.builder("profilegrid.pipeline.lag")
                .description("Events in the tracking log the generation's profile job has not applied yet (cluster)")
                .baseUnit("events").register(registry);
        MultiGauge lagAge = MultiGauge.builder("profilegrid.pipeline.oldest.unapplied.age").baseUnit("seconds")
                .description("Age of the oldest event in the tracking log the job has not applied yet (cluster)")
                .register(registry);
        MultiGauge firings = MultiGauge.builder("profilegrid.firings")
                .description("Firings by state: pending, delivered, deferred (safe mode), dead, discarded (cluster)")
                .register(registry);
        MultiGauge profiles = MultiGauge.builder("profilegrid.profiles")
                .description("Profiles held in memory on the grid, and those only on the database (cluster)")
                .register(registry);
        Gauge.builder("profilegrid.dead.letters", figures, f -> f.last().deadLetters())
                .description("Events the profile pipeline could not fold (cluster)").register(registry);
        Gauge.builder("profilegrid.safe.mode", figures, f -> f.last().safeMode().enabled() ? 1 : 0)
                .description("1 while safe mode is on: firings are deferred, not delivered (cluster)").register(registry);
        Gauge.builder("profilegrid.figures.age", figures,
                        f -> f.last().measuredMs() == 0 ? Double.NaN : (System.currentTimeMillis() - f.last().measuredMs()) / 1000.0)
                .baseUnit("seconds").description("How long ago the cluster figures were measured").register(registry);
        Gauge.builder("hazelcast.cluster.members", member, m -> m.getCluster().getMembers().size())
                .description("Members in the cluster").register(registry);
        Gauge.builder("hazelcast.cluster.safe", member, m -> m.getPartitionService().isClusterSafe() ? 1 : 0)
                .description("1 when every partition has its backups in place and none is migrating").register(registry);
        Gauge.builder("hazelcast.partition.migrations.in.flight", figures, ClusterFigures::migrationsInFlight)
                .description("Partition migrations planned and not done yet (on the master)").register(registry);
        MultiGauge mapEntries = MultiGauge.builder("hazelcast.map.entries")
                .description("Entries of each map on this member, owned and backup").register(registry);
        MultiGauge mapMemory = MultiGauge.builder("hazelcast.map.memory").baseUnit(BaseUnits.BYTES)
                .description("Heap cost of each map's entries on this member, owned and backup").register(registry);
        MultiGauge mapDirty = MultiGauge.builder("hazelcast.map.dirty.entries")
                .description("Entries of each map waiting for write-behind on this member").register(registry);
        MultiGauge mapOperations = MultiGauge.builder("hazelcast.map.operations")
                .description("Operations on each map's entries owned by this member since it started, by kind")
                .register(registry);
        MultiGauge jobs = MultiGauge.builder("hazelcast.jet.jobs")
                .description("Jet jobs of the cluster by status").register(registry);
        Runnable update = () -> {
            if (!member.getLifecycleService().isRunning()) {
                return;
            }
            ClusterFigures.Snapshot last = figures.last();
            lag.register(last.lag().entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("generation", e.getKey()),
                    e.getValue().events())).toList(), true);
            lagAge.register(last.lag().entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("generation", e.getKey()),
                    e.getValue().oldestAgeSeconds())).toList(), true);
            firings.register(last.firings().entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("state", e.getKey()),
                    e.getValue())).toList(), true);
            profiles.register(List.of(MultiGauge.Row.of(Tags.of("where", "memory"), last.profilesInMemory()),
                    MultiGauge.Row.of(Tags.of("where", "database_only"), last.profilesOnDatabaseOnly())), true);
            List<MultiGauge.Row<?>> entries = new ArrayList<>();
            List<MultiGauge.Row<?>> memory = new ArrayList<>();
            List<MultiGauge.Row<?>> dirty = new ArrayList<>();
            List<MultiGauge.Row<?>> operations = new ArrayList<>();
            for (DistributedObject object : member.getDistributedObjects()) {
                if (!(object instanceof IMap<?, ?> map) || map.getName().startsWith("__")) {
                    continue;
                }
                LocalMapStats stats = map.getLocalMapStats();
                Tags tags = Tags.of("map", map.getName());
                entries.add(MultiGauge.Row.of(tags.and("kind", "owned"), stats.getOwnedEntryCount()));
                entries.add(MultiGauge.Row.of(tags.and("kind", "backup"), stats.getBackupEntryCount()));
                memory.add(MultiGauge.Row.of(tags.and("kind", "owned"), stats.getOwnedEntryMemoryCost()));
                memory.add(MultiGauge.Row.of(tags.and("kind", "backup"), stats.getBackupEntryMemoryCost()));
                dirty.add(MultiGauge.Row.of(tags, stats.getDirtyEntryCount()));
                operations.add(MultiGauge.Row.of(tags.and("kind", "get"), stats.getGetOperationCount()));
                operations.add(MultiGauge.Row.of(tags.and("kind", "put"), stats.getPutOperationCount()));
                operations.add(MultiGauge.Row.of(tags.and("kind", "set"), stats.getSetOperationCount()));
                operations.add(MultiGauge.Row.of(tags.and("kind", "remove"), stats.getRemoveOperationCount()));
                operations.add(MultiGauge.Row.of(tags.and("kind", "other"), stats.getOtherOperationCount()));
            }
            mapEntries.register(entries, true);
            mapMemory.register(memory, true);
            mapDirty.register(dirty, true);
            mapOperations.register(operations, true);
            Map<String, Long> byStatus = new TreeMap<>();
            for (com.hazelcast.jet.core.JobStatus status : com.hazelcast.jet.core.JobStatus.values()) {
                byStatus.put(status.name().toLowerCase(java.util.Locale.ROOT), 0L);
            }
            for (Job job : member.getJet().getJobs()) {
                byStatus.merge(job.getStatus().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
            }
            jobs.register(byStatus.entrySet().stream().map(e -> MultiGauge.Row.of(Tags.of("status", e.getKey()),
                    e.getValue())).toList(), true);
        };
        rows.scheduleWithFixedDelay(() -> {
            try {
                update.run();
            } catch (RuntimeException e) {
                // a member that is stopping; the next round tells again
            }
        }, 0, 5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        com.profilegrid.node.support.Daemons.stop(rows);
        for (AutoCloseable closer : closers) {
            try {
                closer.close();
            } catch (Exception e) {
                // closing binders of a stopping node
            }
        }
        registry.close();
    }
}
