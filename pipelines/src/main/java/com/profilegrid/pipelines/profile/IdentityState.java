package com.profilegrid.pipelines.profile;

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
 * The identity graph of one project as the pipeline keeps it. A snapshot holds only the graph's links (four
 * fields each); restoring decides them again. Java serialization of the whole union-find took most of the
 * job's time at every snapshot.
 */
public final class IdentityState implements DataSerializable {

    IdentityGraph graph = new IdentityGraph();

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        Collection<Link> links = graph.links();
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
        long revision = in.readLong();
        int size = in.readInt();
        List<Link> links = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            links.add(new Link(in.readString(), in.readString(), Instant.ofEpochMilli(in.readLong()), in.readString()));
        }
        graph = IdentityGraph.restore(links, revision);
    }
}
