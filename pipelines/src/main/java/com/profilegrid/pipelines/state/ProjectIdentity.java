package com.profilegrid.pipelines.state;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.identity.Link;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The identity graph of one project as the state pipeline keeps it, with the revisions its decisions carry.
 *
 * <p>Raw-id entries live outside the job and keep the newest revision they followed, so a job restored from a
 * snapshot, or started again, must never send a decision under a revision an earlier run used for another one. Each
 * run of the graph (created, or restored) takes a new epoch above the last: a decision's revision is the epoch plus
 * the count of links added in that run. After a restore, decisions the earlier run sent past the snapshot may be
 * ones the replay never repeats (it can meet the same links in another order), so the first step after a restore
 * announces every id's profile again ({@link #takeAnnouncement}).
 */
public final class ProjectIdentity implements DataSerializable {

    /** Room for this many decisions per epoch; a new epoch starts at least this far above the previous one. */
    static final long EPOCH_SPAN = 1L << 40;
    private static final int MILLIS_SHIFT = 20;

    private IdentityGraph graph = new IdentityGraph();
    private long epoch = newEpoch(0);
    /** The graph's revision when this epoch began. */
    private long epochStart;
    private boolean announce;

    public IdentityGraph graph() {
        return graph;
    }

    /** The revision that the graph's latest change carries downstream. */
    public long revision() {
        return epoch + graph.revision() - epochStart;
    }

    /** True once after a restore: the caller announces every id's profile again. */
    public boolean takeAnnouncement() {
        boolean was = announce;
        announce = false;
        return was;
    }

    private static long newEpoch(long previous) {
        return Math.max(System.currentTimeMillis() << MILLIS_SHIFT, previous + EPOCH_SPAN);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        Collection<Link> links = graph.links();
        out.writeLong(epoch);
        out.writeLong(graph.revision());
        out.writeInt(links.size());
        for (Link link : links) {
            out.writeString(link.a());
            out.writeString(link.b());
            out.writeLong(link.at().toEpochMilli());
            out.writeString(link.messageId());
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        long savedEpoch = in.readLong();
        long revision = in.readLong();
        int size = in.readInt();
        List<Link> links = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            links.add(new Link(in.readString(), in.readString(), Instant.ofEpochMilli(in.readLong()), in.readString()));
        }
        graph = IdentityGraph.restore(links, revision);
        epoch = newEpoch(savedEpoch);
        epochStart = revision;
        announce = true;
    }
}
