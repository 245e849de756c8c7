package com.profilegrid.pipelines.profile;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.function.FunctionEx;
import com.hazelcast.jet.pipeline.Sink;
import com.hazelcast.jet.pipeline.SinkBuilder;
import com.hazelcast.map.IMap;
import com.profilegrid.pipelines.state.BackedUpWrites;
import com.profilegrid.pipelines.state.NearCacheInvalidation;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Writes map entries in batches, in the order the sink receives them: the last value of each key in a batch
 * wins, a null value deletes, and a batch is written before the next one starts, so one key's writes never
 * overtake each other (an asynchronous map sink may reorder them). A batch counts as written once its partitions'
 * backups have it too ({@link BackedUpWrites}), so a member lost right after cannot take it along.
 */
public final class OrderedMapSink {

    private OrderedMapSink() {
    }

    /**
     * A sink that keeps the first value written to each key (a later one, such as a replay's, changes nothing): one
     * {@code putIfAbsent} per item, which waits for its backup, unlike Jet's merging map sink (a multi-key entry
     * processor whose backups are asynchronous, see {@link BackedUpWrites}). For rare items, such as dead letters.
     */
    public static <T, K, V> Sink<T> keepingFirst(String mapName, FunctionEx<? super T, ? extends K> keyFn,
                                                 FunctionEx<? super T, ? extends V> valueFn) {
        return SinkBuilder.sinkBuilder("first-value-sink-" + mapName,
                        context -> context.hazelcastInstance().<K, V>getMap(mapName))
                .<T>receiveFn((map, item) -> Writer.retrying(() -> map.putIfAbsent(keyFn.apply(item), valueFn.apply(item))))
                .build();
    }

    /**
     * A sink that deletes the key of each item from a read-through cache (a readers' map that loads from the state
     * that changed): the next read loads the new value. The keys of a batch are deleted together, each once, and the
     * batch completes when every delete has (with its backups). Deletes need no order among themselves, and one that
     * finds nothing is harmless. Each goes as Hazelcast's {@code DeleteOperation}, which on a map with a loader waits
     * behind a load of the same map partition that is under way: a load that read the state before its change cannot
     * put that older value after the delete that follows the change.
     */
    public static <T, K> Sink<T> deleting(String mapName, FunctionEx<? super T, ? extends K> keyFn) {
        return SinkBuilder.sinkBuilder("forget-sink-" + mapName,
                        context -> new Forgetter<K>(context.hazelcastInstance().getMap(mapName)))
                .<T>receiveFn((forgetter, item) -> forgetter.keys.add(keyFn.apply(item)))
                .flushFn(Forgetter::flush)
                .build();
    }

    static final class Forgetter<K> {
        private final IMap<K, ?> map;
        private final Set<K> keys = new HashSet<>();

        Forgetter(IMap<K, ?> map) {
            this.map = map;
        }

        void flush() {
            if (keys.isEmpty()) {
                return;
            }
            // a delete that removed nothing tells no near cache, yet one may hold the key as absent (a miss read
            // before the change): deleteAll tells them
            Writer.retrying(() -> NearCacheInvalidation.deleteAll(map, keys));
            keys.clear();
        }
    }

    public static <T, K, V> Sink<T> build(String mapName, FunctionEx<? super T, ? extends K> keyFn,
                                   FunctionEx<? super T, ? extends V> valueFn) {
        return SinkBuilder.sinkBuilder("ordered-sink-" + mapName,
                        context -> new Writer<K, V>(context.hazelcastInstance().getMap(mapName)))
                .<T>receiveFn((writer, item) -> writer.add(keyFn.apply(item), valueFn.apply(item)))
                .flushFn(Writer::flush)
                .build();
    }

    static final class Writer<K, V> {
        private final IMap<K, V> map;
        private final Map<K, V> puts = new LinkedHashMap<>();
        private final Set<K> deletes = new HashSet<>();

        Writer(IMap<K, V> map) {
            this.map = map;
        }

        void add(K key, V value) {
            if (value != null) {
                puts.put(key, value);
                deletes.remove(key);
            } else {
                puts.remove(key);
                deletes.add(key);
            }
        }

        void flush() {
            if (!puts.isEmpty()) {
                retrying(() -> BackedUpWrites.putAll(map, puts).join());
                puts.clear();
            }
            for (K key : deletes) {
                retrying(() -> map.delete(key));
            }
            deletes.clear();
        }

        /**
         * Writes are whole values, so repeating one is harmless: an indeterminate outcome (a backup did not
         * confirm while a member left) is retried at once, up to ten times in all, rather than failing the job.
         */
        private static final Retry INDETERMINATE = Retry.of("ordered-map-sink", RetryConfig.custom()
                .maxAttempts(10).waitDuration(Duration.ZERO).retryOnException(Writer::indeterminate).build());

        static void retrying(Runnable write) {
            INDETERMINATE.executeRunnable(write);
        }

        private static boolean indeterminate(Throwable e) {
            return e instanceof IndeterminateOperationStateException
                    || e instanceof CompletionException && e.getCause() instanceof IndeterminateOperationStateException;
        }
    }
}
