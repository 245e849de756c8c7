package com.profilegrid.node.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads that arrive together share queries. Hazelcast loads a map's missing keys per partition, so one batch of the
 * profile job asks the store once for each of up to 71 partitions, at the same moment, from as many threads. Here at
 * most {@code maxQueries} queries run at once; a load that arrives meanwhile waits, and the next query takes every
 * waiting load's keys (up to {@code maxKeys}), the way a group commit takes every waiting write. A load's answer always
 * comes from a query that started after the load was asked, as if it had run alone.
 *
 * @param <K> the key
 * @param <V> the row's value
 */
final class CoalescedLoads<K, V> {

    private final int maxQueries;
    private final int maxKeys;
    private final Function<List<K>, Map<K, V>> query;
    private final ArrayDeque<Load<K, V>> waiting = new ArrayDeque<>();
    private int running;

    /**
     * @param query the rows of the given keys (found ones only); a failure fails every load it served
     */
    CoalescedLoads(int maxQueries, int maxKeys, Function<List<K>, Map<K, V>> query) {
        this.maxQueries = maxQueries;
        this.maxKeys = maxKeys;
        this.query = query;
    }

    /** The rows of {@code keys} (found ones only). */
    Map<K, V> load(List<K> keys) {
        Load<K, V> mine = new Load<>(keys);
        synchronized (this) {
            waiting.add(mine);
        }
        while (true) {
            List<Load<K, V>> taken;
            synchronized (this) {
                while (!mine.done && (running >= maxQueries || waiting.isEmpty())) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ProfileStoreException("interrupted while loading rows", e);
                    }
                }
                if (mine.done) {
                    return mine.answer();
                }
                taken = take();
                running++;
            }
            try {
                run(taken);
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }
    }

    private List<Load<K, V>> take() {
        List<Load<K, V>> taken = new ArrayList<>();
        int keys = 0;
        while (!waiting.isEmpty() && (taken.isEmpty() || keys + waiting.peek().keys.size() <= maxKeys)) {
            Load<K, V> next = waiting.poll();
            keys += next.keys.size();
            taken.add(next);
        }
        return taken;
    }

    private void run(List<Load<K, V>> taken) {
        Set<K> keys = new LinkedHashSet<>();
        taken.forEach(load -> keys.addAll(load.keys));
        Map<K, V> found;
        try {
            found = query.apply(new ArrayList<>(keys));
        } catch (RuntimeException e) {
            synchronized (this) {
                taken.forEach(load -> load.fail(e));
            }
            return;
        }
        synchronized (this) {
            for (Load<K, V> load : taken) {
                Map<K, V> own = new HashMap<>(load.keys.size() * 2);
                for (K key : load.keys) {
                    V value = found.get(key);
                    if (value != null) {
                        own.put(key, value);
                    }
                }
                load.answer(own);
            }
        }
    }

    /** One caller's keys and, once a query has run, its answer. Guarded by the {@link CoalescedLoads}' monitor. */
    private static final class Load<K, V> {
        final List<K> keys;
        boolean done;
        Map<K, V> rows;
        RuntimeException failure;

        Load(List<K> keys) {
            this.keys = keys;
        }

        void answer(Map<K, V> rows) {
            this.rows = rows;
            done = true;
        }

        void fail(RuntimeException failure) {
            this.failure = failure;
            done = true;
        }

        Map<K, V> answer() {
            if (failure != null) {
                throw new ProfileStoreException(failure.getMessage(), failure);
            }
            return rows;
        }
    }
}
