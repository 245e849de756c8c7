package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The backup of a {@link KeySteps} run: the values the primary's steps left in the entries they changed, set as they
 * are on the backup replica ({@code null}: the entry was removed). The backup no longer runs the steps again on its own
 * copies: that folded every event a second time on another member, and the operation carried each key's steps and
 * the entries read before them; and the backup now holds what the primary holds even where its own copy was behind
 * (a backup that did not arrive, until anti-entropy sends the partition again).
 *
 * @param <K> the map's key
 * @param <V> the map's value
 */
public final class WriteValues<K, V> implements EntryProcessor<K, V, Object>, DataSerializable {

    private Map<K, V> values;

    /** For deserialization. */
    public WriteValues() {
    }

    WriteValues(Map<K, V> values) {
        this.values = values;
    }

    @Override
    public Object process(Map.Entry<K, V> entry) {
        if (values.containsKey(entry.getKey())) {
            entry.setValue(values.get(entry.getKey()));
        }
        return null;
    }

    @Override
    public EntryProcessor<K, V, Object> getBackupProcessor() {
        return this;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(values.size());
        for (Map.Entry<K, V> value : values.entrySet()) {
            out.writeObject(value.getKey());
            out.writeObject(value.getValue());
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        values = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            K key = in.readObject();
            V value = in.readObject();
            values.put(key, value);
        }
    }
}
