package com.profilegrid.node.store;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.impl.MapContainer;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.MapServiceContext;
import com.hazelcast.map.impl.recordstore.RecordStore;
import com.hazelcast.spi.impl.NodeEngine;
import com.profilegrid.pipelines.state.MemberNode;

/**
 * Which keys of one map this member owns and does not hold in memory: the keys a read-ahead should ask the database
 * for. A batch's read-ahead had asked for every owned key, and on a node whose entries were all in memory its rows
 * were read, parsed and never used (a CPU recording of the end-to-end benchmark: 7% of the samples, in the one batch
 * of eight that still reads ahead then).
 *
 * <p>This reads Hazelcast's internal record stores from a thread that is not the partition's, which their concurrent
 * storage allows; the answer may be stale by the time the batch runs, and then costs only what a wrong guess costs
 * either way (an entry evicted meanwhile is loaded where the batch meets it, as without a read-ahead).
 */
final class LocalEntries {

    private final NodeEngine engine;
    private final MapServiceContext maps;
    private final MapContainer container;
    private final String mapName;

    private LocalEntries(NodeEngine engine, String mapName) {
        this.engine = engine;
        this.maps = engine.<MapService>getService(MapService.SERVICE_NAME).getMapServiceContext();
        this.container = maps.getMapContainer(mapName);
        this.mapName = mapName;
    }

    /** For {@code mapName} on {@code member}, or {@code null} when {@code member} is not a member's own instance. */
    static LocalEntries of(HazelcastInstance member, String mapName) {
        NodeEngine engine = MemberNode.engineOf(member);
        return engine == null ? null : new LocalEntries(engine, mapName);
    }

    /** Whether this member owns {@code key}'s partition and does not hold its entry in memory now. */
    boolean ownedAndAbsent(Object key) {
        Data data = engine.getSerializationService().toData(key, container.getPartitioningStrategy());
        return ownedAndAbsent(engine.getPartitionService().getPartitionId(data), data);
    }

    /** As {@link #ownedAndAbsent(Object)}, for a key already serialized, in its partition. */
    boolean ownedAndAbsent(int partition, Data key) {
        if (!engine.getPartitionService().isPartitionOwner(partition)) {
            return false;
        }
        RecordStore<?> store = maps.getExistingRecordStore(partition, mapName);
        return store == null || !store.existInMemory(key);
    }
}
