package com.profilegrid.node.ingest;

import com.profilegrid.node.TestDatabases;

class TrackingApiPostgresTest extends TrackingApiContract {
    @Override
    TestDatabases database() {
        return TestDatabases.POSTGRESQL;
    }
}
