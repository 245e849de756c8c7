package com.profilegrid.pipelines.state;

import com.hazelcast.internal.serialization.Data;

import java.util.Map;

/**
 * A batch's keys of one map, each in its serialized form, grouped by the partition that owns it: made once per batch
 * ({@link BackedUpWrites#byPartition}) and used by the batch's read-ahead, its read and its writes, each of which had
 * serialized every key and found its partition again (a CPU recording of the end-to-end benchmark had the read-ahead's
 * own pass at about 4% of the samples).
 */
public final class KeysByPartition<K> {

    /** What {@link #forEach} hands each key to. */
    @FunctionalInterface
    public interface KeyVisitor<K> {
        void visit(K key, int partition, Data data);
    }

    private final Map<Integer, Map<K, Data>> parts;
    private final int size;

    KeysByPartition(Map<Integer, Map<K, Data>> parts) {
        this.parts = parts;
        int count = 0;
        for (Map<K, Data> own : parts.values()) {
            count += own.size();
        }
        this.size = count;
    }

    /** By partition, that partition's keys and their serialized forms. */
    Map<Integer, Map<K, Data>> parts() {
        return parts;
    }

    /** How many keys. */
    public int size() {
        return size;
    }

    /** Hands each key to {@code visitor} with its partition and serialized form. */
    public void forEach(KeyVisitor<K> visitor) {
        parts.forEach((partition, own) -> own.forEach((key, data) -> visitor.visit(key, partition, data)));
    }
}
