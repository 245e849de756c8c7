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
 *
 * <p>A graph that starts without a snapshot (a job started afresh over raw ids the tables already hold, after a full
 * restart) replays links the raw ids already followed, and on the way it passes through states the graph was in long
 * ago: a visitor's two anonymous ids merged, before the identify that merged them into the user. Sent under a new
 * epoch, those decisions would move ids out of their profiles for the length of the replay (readers would see
 * profiles shrink). So a fresh graph first catches up: while the events it meets were received before it started, its
 * decisions carry revisions below any epoch's, which a raw id that already followed a decision ignores, and which
 * a raw id seen for the first time (a rebuild's, a new project's) follows as usual. At the first event received after
 * it started, it takes a new epoch and announces every id's profile, so anything the replay decided that the raw ids
 * ignored (a link the earlier run logged but did not decide) reaches them then.
 */
public final class ProjectIdentity implements DataSerializable {

    /** Room for this many decisions per epoch; a new epoch starts at least this far above the previous one. */
    static final long EPOCH_SPAN = 1L << 40;
    private static final int MILLIS_SHIFT = 20;

    /** The epoch of a graph catching up: below {@link #newEpoch}'s, which start at the clock shifted left. */
    private static final long CATCH_UP_EPOCH = 1;

    private IdentityGraph graph = new IdentityGraph();
    private long epoch = CATCH_UP_EPOCH;
    /** The graph's revision when this epoch began. */
    private long epochStart;
    private boolean announce;
    /** While catching up: events received before this (epoch millis) are replayed ones; {@code -1} once caught up. */
    private long catchUpBefore = System.currentTimeMillis();

    public IdentityGraph graph() {
        return graph;
    }

    /** The revision that the graph's latest change carries downstream. */
    public long revision() {
        return epoch + graph.revision() - epochStart;
    }

    /**
     * Told each event's receive time before the event is decided: the first one received after a fresh graph started
     * ends its catching up (a new epoch, and every id's profile announced).
     */
    public void observe(Instant receivedAt) {
        if (catchUpBefore >= 0 && receivedAt.toEpochMilli() >= catchUpBefore) {
            catchUpBefore = -1;
            epoch = newEpoch(epoch);
            epochStart = graph.revision();
            announce = true;
        }
    }

    /** Whether this graph still replays events received before it started (its decisions then rank below all). */
    public boolean catchingUp() {
        return catchUpBefore >= 0;
    }

    /** True once after a restore or a catch-up: the caller announces every id's profile again. */
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
        out.writeLong(catchUpBefore);
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
        long savedCatchUpBefore = in.readLong();
        long savedEpoch = in.readLong();
        long revision = in.readLong();
        int size = in.readInt();
        List<Link> links = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            links.add(new Link(in.readString(), in.readString(), Instant.ofEpochMilli(in.readLong()), in.readString()));
        }
        graph = IdentityGraph.restore(links, revision);
        epochStart = revision;
        catchUpBefore = savedCatchUpBefore;
        if (catchingUp()) {
            // still replaying: a fresh span of catch-up revisions, and the announcement when it is caught up
            epoch = savedEpoch + EPOCH_SPAN;
            announce = false;
        } else {
            epoch = newEpoch(savedEpoch);
            announce = true;
        }
    }
}
