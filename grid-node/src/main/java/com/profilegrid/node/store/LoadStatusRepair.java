package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.partition.IPartitionService;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.MapServiceContext;
import com.hazelcast.map.impl.operation.TriggerLoadIfNeededOperation;
import com.hazelcast.map.impl.recordstore.RecordStore;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.Operation;
import com.hazelcast.spi.impl.operationservice.PartitionAwareOperation;
import com.profilegrid.node.support.Daemons;
import com.profilegrid.pipelines.state.MemberNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marks a member's backup replicas of map partitions "loaded" where Hazelcast's initial-load protocol left them
 * waiting for good.
 *
 * <p>Why: the first touch of a map with a loader (every map backed by a table here) makes each partition's record
 * store wait for a "keys loaded" message from the member that lists the map's keys, and that message goes to the
 * partition's owner. A partition that moves to a member that just joined while it waits leaves its record store on
 * the old owner as a backup replica that is never told: it stays "still loading", refuses every backup that reads
 * its entry (an entry processor's backup, which the profile job's steps are), and every such write to the partition
 * then fails for want of its backup, for as long as the member runs. Two nodes started at the same instant met it
 * about once in four starts: the profile job failed on indeterminate writes and restarted without end.
 * {@code LoadStatusRepairTest} reproduces it with a loader that lists its keys slowly.
 *
 * <p>So every few seconds each member looks for such replicas of its own: a record store of a map with a loader, on a
 * partition this member does not own, still loading. For each such map it asks the partition that lists the map's
 * keys whether that listing has finished (Hazelcast's own {@code TriggerLoadIfNeededOperation}, which also starts it
 * if it never ran, as a waiting owner's operations do), and once it has, marks those replicas loaded on their
 * partition threads. A backup replica holds what its owner sends it, so the mark lets through only the backups that
 * should have run; owners still wait for the protocol (which heals them itself through the same trigger).
 */
public final class LoadStatusRepair implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadStatusRepair.class);
    /** How often a member looks; Hazelcast's own trigger for waiting owners runs at the same pace. */
    static final Duration EVERY = Duration.ofSeconds(5);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

    private final NodeEngine engine;
    private final ScheduledExecutorService timer = Daemons.scheduler("profilegrid-load-status");

    private LoadStatusRepair(NodeEngine engine) {
        this.engine = engine;
    }

    /** Starts looking on {@code member} (a member's own instance) every {@link #EVERY}. */
    public static LoadStatusRepair start(HazelcastInstance member) {
        LoadStatusRepair repair = on(member);
        repair.timer.scheduleWithFixedDelay(() -> {
            try {
                repair.repairOnce();
            } catch (RuntimeException e) {
                LOG.debug("Looking for backup replicas left loading failed; looking again in {}", EVERY, e);
            }
        }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return repair;
    }

    /** A repair of {@code member}'s replicas that looks only when asked ({@link #repairOnce}). */
    static LoadStatusRepair on(HazelcastInstance member) {
        return new LoadStatusRepair(nodeEngine(member));
    }

    /** One look: marks the replicas found waiting whose map's keys are listed, and answers how many it marked. */
    int repairOnce() {
        Map<String, List<Integer>> waiting = waitingBackups();
        if (waiting.isEmpty()) {
            return 0;
        }
        AtomicInteger marked = new AtomicInteger();
        waiting.forEach((map, partitions) -> {
            if (!keysListed(map)) {
                return;
            }
            CountDownLatch done = new CountDownLatch(partitions.size());
            for (int partition : partitions) {
                Operation mark = new MarkLoaded(map, marked, done).setPartitionId(partition)
                        .setServiceName(MapService.SERVICE_NAME).setNodeEngine(engine);
                engine.getOperationService().execute(mark);
            }
            try {
                done.await(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (marked.get() > 0) {
            LOG.warn("Marked {} backup replica(s) loaded that Hazelcast's initial load left waiting after their "
                    + "partitions moved ({}); writes to them had failed for want of a backup", marked.get(), waiting);
        }
        return marked.get();
    }

    /** Per map with a loader, the partitions this member holds but does not own whose record store still loads. */
    private Map<String, List<Integer>> waitingBackups() {
        MapServiceContext maps = engine.<MapService>getService(MapService.SERVICE_NAME).getMapServiceContext();
        IPartitionService partitions = engine.getPartitionService();
        Map<String, List<Integer>> waiting = new TreeMap<>();
        for (int partition = 0; partition < partitions.getPartitionCount(); partition++) {
            if (partitions.isPartitionOwner(partition)) {
                continue;
            }
            for (RecordStore<?> store : maps.getPartitionContainer(partition).getAllRecordStores()) {
                if (store.getMapContainer().getMapStoreContext().isMapLoader() && !store.isLoaded()) {
                    waiting.computeIfAbsent(store.getName(), name -> new ArrayList<>()).add(partition);
                }
            }
        }
        return waiting;
    }

    /** Whether the member listing {@code map}'s keys has finished (and sent every partition its keys). */
    private boolean keysListed(String map) {
        int listing = engine.getPartitionService().getPartitionId(engine.toData(map));
        try {
            return engine.getOperationService().<Boolean>invokeOnPartition(MapService.SERVICE_NAME,
                    new TriggerLoadIfNeededOperation(map), listing).get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.debug("Could not learn whether the keys of map {} are listed", map, e);
            return false;
        }
    }

    @Override
    public void close() {
        Daemons.stop(timer);
    }

    private static NodeEngine nodeEngine(HazelcastInstance member) {
        NodeEngine engine = MemberNode.engineOf(member);
        if (engine == null) {
            throw new IllegalArgumentException("the load repair needs a member's own instance, not "
                    + member.getClass().getName());
        }
        return engine;
    }

    /**
     * Marks one partition's record store of a map loaded, on that partition's thread, if the partition is still not
     * this member's own and the store still waits. Run here only, on a replica this member may not own, so it does
     * not check its target.
     */
    private static final class MarkLoaded extends Operation implements PartitionAwareOperation {
        private final String map;
        private final AtomicInteger marked;
        private final CountDownLatch done;

        MarkLoaded(String map, AtomicInteger marked, CountDownLatch done) {
            this.map = map;
            this.marked = marked;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                NodeEngine engine = getNodeEngine();
                RecordStore<?> store = engine.<MapService>getService(MapService.SERVICE_NAME).getMapServiceContext()
                        .getPartitionContainer(getPartitionId()).getExistingRecordStore(map);
                if (store != null && !engine.getPartitionService().isPartitionOwner(getPartitionId())
                        && !store.isLoaded()) {
                    store.updateLoadStatus(true, null);
                    marked.incrementAndGet();
                }
            } finally {
                done.countDown();
            }
        }

        @Override
        public boolean validatesTarget() {
            return false;
        }

        @Override
        public boolean returnsResponse() {
            return false;
        }
    }
}
