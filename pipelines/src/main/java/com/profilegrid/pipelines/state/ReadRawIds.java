package com.profilegrid.pipelines.state;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.util.Map;

/**
 * Reads raw-id entries asynchronously ({@code submitToKeys}; the map has no asynchronous {@code getAll}), loading
 * evicted ones from the store. Read-only: no backup, no write.
 */
public final class ReadRawIds implements EntryProcessor<String, RawIdEntry, RawIdEntry>, ReadOnly, DataSerializable {

    @Override
    public RawIdEntry process(Map.Entry<String, RawIdEntry> entry) {
        return entry.getValue();
    }

    @Override
    public EntryProcessor<String, RawIdEntry, RawIdEntry> getBackupProcessor() {
        return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
}
