package com.profilegrid.node.ingest;

import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;

import java.nio.file.Path;

/**
 * What a node process on the embedded default needs, prepared: its data directory (whose H2 database already holds a
 * project), its HTTP port, and the flags of {@code bin/profilegrid node}.
 */
public record EmbeddedNode(Path dataDir, String url, ProjectStore.Created project, int httpPort, String[] flags) {

    public static EmbeddedNode prepare(Path dir) {
        Path dataDir = dir.resolve("node");
        ProjectStore.Created project = TestDatabases.createProject(TestDatabases.embedded(dataDir), "acme");
        String[] flags = {"--cluster-name", TestClusters.uniqueClusterName(),
                "--hazelcast-port", Integer.toString(NodeFixture.freePort()), "--data-dir", dataDir.toString()};
        return new EmbeddedNode(dataDir, TestDatabases.embedded(dataDir).url(), project, NodeFixture.freePort(), flags);
    }
}
