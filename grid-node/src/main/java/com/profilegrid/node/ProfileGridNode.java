package com.profilegrid.node;

import com.profilegrid.node.log.TrackingLog;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.node.spool.Spool;
import com.profilegrid.node.spool.SpoolReplayer;

/** A running node of any {@link NodeRole}: what its role has in common with the others. */
public interface ProfileGridNode extends AutoCloseable {

    NodeRole role();

    int httpPort();

    TrackingLog trackingLog();

    Spool spool();

    SpoolReplayer replayer();

    ProjectStore projects();

    /** The graceful stop: reports not ready, answers the requests under way, stores what it holds, then stops. */
    @Override
    void close();

    /** Starts the node {@code settings} describe, of the role they name. */
    static ProfileGridNode start(NodeSettings settings) {
        return settings.role() == NodeRole.TRACKING ? TrackingNode.start(settings) : GridNode.start(settings);
    }
}
