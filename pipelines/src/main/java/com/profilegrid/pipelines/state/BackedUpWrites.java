package com.profilegrid.pipelines.state;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.util.ConcurrencyUtil;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.MapEntries;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.MapServiceContext;
import com.hazelcast.map.impl.operation.MapOperationProvider;
import com.hazelcast.partition.PartitioningStrategy;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import com.hazelcast.spi.impl.NodeEngine;
import com.hazelcast.spi.impl.operationservice.Operation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Multi-key writes to a map that complete only once the sync backups of their partitions have applied them, and a
 * multi-key read that sends each partition only its own keys.
 *
 * <p>Why not {@code IMap.submitToKeys} or {@code putAll}: they run as one partition-iterating operation per member,
 * which answers as soon as each partition's operation has run on its primary and drops the count of backup
 * acknowledgements each of those answers carries (Hazelcast documents it on {@code OperationService.invokeOnPartitions}:
 * "If the operations have sync backups, this method will not wait for their completion"). A member killed right
 * after such a write can take the write with it while the pipeline goes on as if it were done: the backup, promoted
 * to primary, lacks it, the job's next snapshot is already past the event, and no replay brings it back.
 * {@code PipelineFaultTest} caught it about once in twenty runs: a raw id's entry lost an event applied on the
 * member that was then terminated, and the positions applied after it hid the loss for good.
 *
 * <p>Here the keys of each partition go as one partition operation, invoked on that partition like a single-key write:
 * Hazelcast's {@code PutAllOperation}, and for entry processors {@link BackedUpEntriesOperation}, its
 * {@code MultipleEntryOperation} with synchronous backups (the original's are asynchronous). The invocation waits
 * for the sync backups, retries on a migrating partition or a member that left, and (with
 * {@code hazelcast.operation.fail.on.indeterminate.state}, which the member configuration sets) fails rather than
 * answer without them. It costs no more operations than before (the pipeline sent one call per partition already)
 * and skips the partition-iterating hop through a generic thread.
 *
 * <p>The returned futures complete on Hazelcast's default async executor, as the proxy's do, never on the thread
 * that received the last answer: a continuation there that calls the grid (the next step of a batch does) would
 * fail with "cannot make remote call" on a response thread.
 *
 * <p>This reaches into Hazelcast's internal map operations, so it works only on a member's own map proxy (the
 * pipeline runs on members); {@code BackedUpWritesTest} pins the behaviour on the Hazelcast version in use.
 */
public final class BackedUpWrites {

    private BackedUpWrites() {
    }

    /**
     * Runs {@code processor} on each of {@code keys}, as {@code map.submitToKeys} would, and completes with each key's
     * result once every partition's primary and sync backups have applied it.
     */
    public static <K, V, R> CompletableFuture<Map<K, R>> submitToKeys(IMap<K, V> map, Set<K> keys,
                                                                       EntryProcessor<K, V, R> processor) {
        return submitByPartition(map, keys, own -> processor);
    }

    /**
     * As {@link #submitToKeys(IMap, Set, EntryProcessor)}, with a processor of its own for each partition's keys,
     * made by {@code processorOf} from those keys (so that each partition's operation carries only what its keys
     * need).
     */
    public static <K, V, R> CompletableFuture<Map<K, R>> submitByPartition(
            IMap<K, V> map, Set<K> keys, Function<Set<K>, ? extends EntryProcessor<K, V, R>> processorOf) {
        return submitByPartition(map, byPartition(map, keys), processorOf);
    }

    /** As {@link #submitByPartition(IMap, Set, Function)}, for keys already grouped ({@link #byPartition}). */
    @SuppressWarnings("unchecked")
    public static <K, V, R> CompletableFuture<Map<K, R>> submitByPartition(
            IMap<K, V> map, KeysByPartition<K> keys, Function<Set<K>, ? extends EntryProcessor<K, V, R>> processorOf) {
        Target target = Target.of(map);
        Map<Integer, Map<K, Data>> byPartition = keys.parts();
        List<CompletableFuture<MapEntries>> calls = new ArrayList<>(byPartition.size());
        Map<K, R> handedOver = new ConcurrentHashMap<>();
        byPartition.forEach((partition, own) -> {
            EntryProcessor<K, V, R> processor = processorOf.apply(own.keySet());
            if (processor instanceof HandsOverLocally<?, ?> local) {
                ((HandsOverLocally<K, R>) local).handOverTo(handedOver);
            }
            calls.add(target.invoke(new BackedUpEntriesOperation(target.name, new HashSet<>(own.values()), processor),
                    partition));
        });
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
            Map<K, R> results = new HashMap<>(keys.size() * 2);
            calls.forEach(call -> call.join().putAllToMap(target.serialization, results));
            // a key answered by another member has its answer; one processed here was handed over (if the operation
            // ran here first and then again elsewhere, say after a migration, the answer is the later run's)
            handedOver.forEach(results::putIfAbsent);
            return results;
        }, ConcurrencyUtil.getDefaultAsyncExecutor());
    }

    /**
     * What {@code keys} hold in {@code map}, as {@code map.getAll} answers (loading evicted entries through the map's
     * store), read with one operation per partition that carries only that partition's keys.
     *
     * <p>Why not {@code map.getAll}: on the Hazelcast version in use it sends every partition's operation the whole key
     * list, and each operation hashes every key to pick out its own; for a batch of 1,024 keys over 71 partitions that
     * is 72,000 hashes, a few percent of the profile job's CPU in a recording of the profiles benchmark. Blocks until
     * every partition has answered; call it off the partition threads.
     */
    public static <K, V> Map<K, V> getAll(IMap<K, V> map, Set<K> keys) {
        return getAll(map, byPartition(map, keys));
    }

    /** As {@link #getAll(IMap, Set)}, for keys already grouped ({@link #byPartition}). */
    public static <K, V> Map<K, V> getAll(IMap<K, V> map, KeysByPartition<K> keys) {
        Target target = Target.of(map);
        Map<Integer, Map<K, Data>> byPartition = keys.parts();
        List<CompletableFuture<MapEntries>> calls = new ArrayList<>(byPartition.size());
        byPartition.forEach((partition, own) -> calls.add(target.invoke(target.provider.createGetAllOperationFactory(
                target.name, new ArrayList<>(own.values())).createOperation(), partition)));
        Map<K, V> found = new HashMap<>(keys.size() * 2);
        calls.forEach(call -> call.join().putAllToMap(target.serialization, found));
        return found;
    }

    /** {@code keys} in their serialized forms, grouped by the partition of {@code map} that owns each. */
    public static <K> KeysByPartition<K> byPartition(IMap<K, ?> map, java.util.Collection<K> keys) {
        return new KeysByPartition<>(Target.of(map).byPartition(keys));
    }

    /** Sets every entry of {@code entries}, as {@code map.putAll} would, once backed up. */
    public static <K, V> CompletableFuture<Void> putAll(IMap<K, V> map, Map<K, V> entries) {
        Target target = Target.of(map);
        List<CompletableFuture<MapEntries>> calls = new ArrayList<>();
        target.byPartition(entries.keySet()).forEach((partition, own) -> {
            MapEntries written = new MapEntries(own.size());
            own.forEach((key, data) -> written.add(data, target.serialization.toData(entries.get(key))));
            calls.add(target.invoke(target.provider.createPutAllOperation(target.name, written, true), partition));
        });
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> { }, ConcurrencyUtil.getDefaultAsyncExecutor());
    }

    /** What it takes to build and invoke a map's partition operations. */
    private record Target(String name, NodeEngine engine, SerializationService serialization,
                          PartitioningStrategy<?> strategy, MapOperationProvider provider) {

        static Target of(IMap<?, ?> map) {
            if (!(map instanceof AbstractDistributedObject<?> proxy)) {
                throw new IllegalArgumentException("backed-up writes need a member's own map proxy, not "
                        + map.getClass().getName());
            }
            NodeEngine engine = proxy.getNodeEngine();
            MapServiceContext maps = engine.<MapService>getService(MapService.SERVICE_NAME).getMapServiceContext();
            return new Target(map.getName(), engine, engine.getSerializationService(),
                    maps.getMapContainer(map.getName()).getPartitioningStrategy(), maps.getMapOperationProvider(map.getName()));
        }

        Data keyData(Object key) {
            return serialization.toData(key, strategy);
        }

        int partitionOf(Data key) {
            return engine.getPartitionService().getPartitionId(key);
        }

        /** Each of {@code keys} in its serialized form, grouped by the partition that owns it. */
        <K> Map<Integer, Map<K, Data>> byPartition(java.util.Collection<K> keys) {
            Map<Integer, Map<K, Data>> byPartition = new HashMap<>();
            for (K key : keys) {
                Data data = keyData(key);
                byPartition.computeIfAbsent(partitionOf(data), partition -> new HashMap<>()).put(key, data);
            }
            return byPartition;
        }

        <T> CompletableFuture<T> invoke(Operation operation, int partition) {
            return engine.getOperationService().<T>invokeOnPartition(MapService.SERVICE_NAME, operation, partition);
        }
    }
}
