package com.profilegrid.pipelines.state;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.MapContainer;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.MapServiceContext;
import com.hazelcast.spi.impl.AbstractDistributedObject;
import com.hazelcast.spi.impl.NodeEngine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tells the clients' near caches of a map that keys changed, whether or not the member holds them.
 *
 * <p>Why: the readers' maps are read-through caches that hold only what was read, and a change deletes its key from
 * them. Hazelcast sends a near-cache invalidation for a delete only when it removed something. But a client's near
 * cache also keeps misses ({@code CACHED_AS_NULL}): a visitor read before its first event was folded is cached as
 * absent, the member's loader found nothing and so holds nothing, and the delete that follows the visitor's first
 * event removes nothing and tells no client: the SDK would answer "no such profile" for as long as the near cache
 * keeps it ({@code ClientSdkRulesTest} caught it). So the keys whose delete removed nothing are invalidated here, as
 * Hazelcast's own operations do (the map's invalidator, keyed by the serialized key).
 *
 * <p>This reaches into Hazelcast's internal map service, so it works only on a member's own map proxy (the pipeline
 * runs on members).
 */
public final class NearCacheInvalidation {

    private NearCacheInvalidation() {
    }

    /**
     * Deletes {@code key} from a readers' map (the next read loads it again) and tells every near cache, also when the
     * member held nothing to delete.
     */
    public static <K> void delete(IMap<K, ?> map, K key) {
        deleteAll(map, List.of(key));
    }

    /**
     * Deletes {@code keys} from a readers' map, all at once, and once every delete is done (with its backups) tells
     * every near cache of those that removed nothing (the others Hazelcast has told already).
     */
    public static <K> void deleteAll(IMap<K, ?> map, Collection<K> keys) {
        List<K> order = new ArrayList<>(keys);
        List<CompletableFuture<Boolean>> deletes = new ArrayList<>(order.size());
        order.forEach(key -> deletes.add(map.deleteAsync(key).toCompletableFuture()));
        CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
        List<K> absent = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            if (!deletes.get(i).join()) {
                absent.add(order.get(i));
            }
        }
        invalidate(map, absent);
    }

    /** Invalidates {@code keys} of {@code map} in every near cache listening to this member. */
    public static <K> void invalidate(IMap<K, ?> map, Collection<K> keys) {
        if (keys.isEmpty() || !(map instanceof AbstractDistributedObject<?> proxy)) {
            return;
        }
        NodeEngine engine = proxy.getNodeEngine();
        MapServiceContext maps = engine.<MapService>getService(MapService.SERVICE_NAME).getMapServiceContext();
        MapContainer container = maps.getMapContainer(map.getName());
        if (!container.hasInvalidationListener()) {
            return;
        }
        var invalidator = maps.getMapNearCacheManager().getInvalidator();
        for (K key : keys) {
            Data data = engine.getSerializationService().toData(key, container.getPartitioningStrategy());
            invalidator.invalidateKey(data, map.getName(), engine.getLocalMember().getUuid());
        }
    }
}
