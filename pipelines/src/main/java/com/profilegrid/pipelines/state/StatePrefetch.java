package com.profilegrid.pipelines.state;

/**
 * Reads ahead, in one go, what a batch's keys hold in the database, before a map step reads the batch from the map:
 * Hazelcast would load the keys missing from memory one partition at a time, and a batch touches most partitions. A
 * member offers it in its user context ({@link #USER_CONTEXT_KEY}) when its state maps have stores; without it a map
 * step simply reads the map.
 */
public interface StatePrefetch {

    /** The key of the member's prefetch in {@link com.hazelcast.core.HazelcastInstance#getUserContext()}. */
    String USER_CONTEXT_KEY = "profilegrid.state-prefetch";

    /**
     * Reads ahead the rows of those of {@code keys} that {@code map} does not hold; run the returned handle when the
     * batch is done, to forget what was not used.
     */
    Runnable prefetch(String map, KeysByPartition<?> keys);
}
