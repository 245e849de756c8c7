package com.profilegrid.pipelines.profile;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.HashMap;
import java.util.TreeMap;

/**
 * What the pipeline keeps per profile: the partial profile of each raw id that belongs to it, by raw id.
 * The profile is their merge, so an identity change moves a raw id's partial without re-reading the log.
 */
public final class ProfileState implements DataSerializable {

    final TreeMap<String, EncodedProfile> partials = new TreeMap<>();
    /** The newest version seen of each raw id, also after it moved away, so a late older update is ignored. */
    final HashMap<String, Long> versions = new HashMap<>();

    /** Applies a raw id's update unless a newer one was already applied; {@code partial} null retracts it. */
    boolean update(String rawId, long version, EncodedProfile partial) {
        Long seen = versions.get(rawId);
        if (seen != null && seen >= version) {
            return false;
        }
        versions.put(rawId, version);
        if (partial == null) {
            partials.remove(rawId);
        } else {
            partials.put(rawId, partial);
        }
        return true;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeInt(partials.size());
        for (var entry : partials.entrySet()) {
            out.writeString(entry.getKey());
            entry.getValue().writeData(out);
        }
        out.writeInt(versions.size());
        for (var entry : versions.entrySet()) {
            out.writeString(entry.getKey());
            out.writeLong(entry.getValue());
        }
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        int size = in.readInt();
        for (int i = 0; i < size; i++) {
            String rawId = in.readString();
            EncodedProfile partial = new EncodedProfile();
            partial.readData(in);
            partials.put(rawId, partial);
        }
        int versionCount = in.readInt();
        for (int i = 0; i < versionCount; i++) {
            versions.put(in.readString(), in.readLong());
        }
    }
}
