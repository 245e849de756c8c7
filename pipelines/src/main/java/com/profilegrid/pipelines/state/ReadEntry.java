package com.profilegrid.pipelines.state;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.util.Map;

/**
 * Reads entries of the state maps asynchronously ({@code submitToKey(s)}; a map has no asynchronous {@code getAll}),
 * loading evicted ones from the store. Read-only: no backup, no write.
 *
 * @param <K> the map's key
 * @param <V> the map's value
 */
public final class ReadEntry<K, V> implements EntryProcessor<K, V, V>, ReadOnly, DataSerializable {

    @Override
    public V process(Map.Entry<K, V> entry) {
        return entry.getValue();
    }

    @Override
    public EntryProcessor<K, V, V> getBackupProcessor() {
        return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
}
