package com.profilegrid.pipelines.profile;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.Profile;

import java.io.IOException;
import java.util.TreeMap;

/**
 * What the pipeline keeps per profile: the partial profile of each raw id that belongs to it, by raw id.
 * The profile is their merge, so an identity change moves a raw id's partial without re-reading the log.
 */
public final class ProfileState implements DataSerializable {

    final TreeMap<String, Profile> partials = new TreeMap<>();

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(partials.size());
        for (var entry : partials.entrySet()) {
            out.writeString(entry.getKey());
            out.writeObject(entry.getValue());
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        for (int i = 0; i < size; i++) {
            partials.put(in.readString(), in.readObject());
        }
    }
}
