package com.profilegrid.pipelines.state;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.DataSerializerHook;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.impl.operation.MultipleEntryOperation;
import com.hazelcast.nio.serialization.DataSerializableFactory;

import java.util.Set;

/**
 * Hazelcast's operation for an entry processor on several keys of one partition, with its backups made synchronous:
 * {@code MultipleEntryOperation} sends them asynchronously (its sync backup count is 0, whatever the map's
 * {@code backup-count}), so no invocation of it waits for them (see {@link BackedUpWrites}). Everything else, the
 * steps through the map store, the backup operation, the serialized form, is the original's.
 *
 * <p>It travels between members under a factory of its own ({@link Hook}, registered from
 * {@code META-INF/services/com.hazelcast.DataSerializerHook} on every member with this jar), since under the original's
 * ids the receiving member would make the original again.
 */
public final class BackedUpEntriesOperation extends MultipleEntryOperation {

    /** The data-serializable factory of ProfileGrid's own Hazelcast operations (Hazelcast's own ids are negative). */
    public static final int FACTORY_ID = 7_401;
    static final int CLASS_ID = 1;

    /** For deserialization. */
    public BackedUpEntriesOperation() {
    }

    public BackedUpEntriesOperation(String name, Set<Data> keys, EntryProcessor<?, ?, ?> processor) {
        super(name, keys, processor);
    }

    @Override
    public int getSyncBackupCount() {
        return mapContainer.getBackupCount();
    }

    @Override
    public int getAsyncBackupCount() {
        return mapContainer.getAsyncBackupCount();
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    /** Registers the factory of this operation with Hazelcast's serialization (found through the service file). */
    public static final class Hook implements DataSerializerHook {
        @Override
        public int getFactoryId() {
            return FACTORY_ID;
        }

        @Override
        public DataSerializableFactory createFactory() {
            return classId -> classId == CLASS_ID ? new BackedUpEntriesOperation() : null;
        }
    }
}
