package com.profilegrid.node;

import com.profilegrid.node.store.Database;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.UnaryOperator;

/** Several real grid nodes forming one cluster over real TCP, sharing one database; closed last to first. */
public final class NodeCluster implements AutoCloseable {

    private final List<NodeFixture> nodes;

    private NodeCluster(List<NodeFixture> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code size} nodes (data directories {@code dir/n0}, {@code dir/n1}, ...) under a fresh cluster name. */
    public static NodeCluster start(Path dir, Database.Settings db, int size) {
        return start(dir, db, size, UnaryOperator.identity());
    }

    /** As {@link #start(Path, Database.Settings, int)}, each node's settings changed by {@code tweak} first. */
    public static NodeCluster start(Path dir, Database.Settings db, int size, UnaryOperator<NodeSettings> tweak) {
        String cluster = TestClusters.uniqueClusterName();
        int[] ports = new int[size];
        StringJoiner members = new StringJoiner(",");
        for (int i = 0; i < size; i++) {
            ports[i] = NodeFixture.freePort();
            members.add("127.0.0.1:" + ports[i]);
        }
        List<NodeFixture> nodes = new ArrayList<>();
        NodeCluster started = new NodeCluster(nodes);
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(NodeFixture.start(tweak.apply(NodeFixture.settings(dir.resolve("n" + i), db, cluster,
                        IngestSettings.DEFAULTS, ports[i], members.toString()))));
            }
            return started;
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    public NodeFixture node(int index) {
        return nodes.get(index);
    }

    public List<NodeFixture> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }
}
