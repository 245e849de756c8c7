package com.profilegrid.node.ingest;

import com.profilegrid.node.TestDatabases;

class TrackingApiH2Test extends TrackingApiContract {
    @Override
    TestDatabases database() {
        return TestDatabases.H2;
    }
}
