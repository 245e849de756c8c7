package com.profilegrid.node.rebuild;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/**
 * Sets an entry to the value it holds, which queues it in its map's write-behind as any write does (and on its backup,
 * so that a promoted backup stores it too). A generation that readers just switched to stores what it built this way.
 */
final class StoreAgain<K, V> implements EntryProcessor<K, V, Void> {

    private static final long serialVersionUID = 1L;

    @Override
    public Void process(Map.Entry<K, V> entry) {
        if (entry.getValue() != null) {
            entry.setValue(entry.getValue());
        }
        return null;
    }
}
