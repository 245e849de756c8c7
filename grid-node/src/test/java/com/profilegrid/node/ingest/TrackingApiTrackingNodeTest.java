package com.profilegrid.node.ingest;

import com.profilegrid.node.NodeRole;
import com.profilegrid.node.TestDatabases;

/** The whole tracking contract, against a tracking node (no Hazelcast member) on PostgreSQL. */
class TrackingApiTrackingNodeTest extends TrackingApiContract {
    @Override
    TestDatabases database() {
        return TestDatabases.POSTGRESQL;
    }

    @Override
    NodeRole role() {
        return NodeRole.TRACKING;
    }
}
