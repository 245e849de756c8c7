package com.profilegrid.pipelines.state;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.profilegrid.model.GridMaps;

import java.io.IOException;
import java.util.Map;

/**
 * Points a raw id at the profile an identity decision gives it ({@link RawIdEntry#decided}), on the partition that owns
 * the id: the newest revision wins, a repeat or an older decision changes nothing. Answers the entry as it is after the
 * step, so that the caller can move the id's fold (its own events) to the profile it now belongs to.
 */
public final class DecideRawId implements EntryProcessor<String, RawIdEntry, RawIdEntry>, DataSerializable {

    private String profileId;
    private long revision;

    /** For deserialization. */
    public DecideRawId() {
    }

    public DecideRawId(String profileId, long revision) {
        this.profileId = profileId;
        this.revision = revision;
    }

    @Override
    public RawIdEntry process(Map.Entry<String, RawIdEntry> entry) {
        RawIdEntry current = entry.getValue() != null ? entry.getValue()
                : RawIdEntry.empty(GridMaps.projectOf(entry.getKey()), GridMaps.idOf(entry.getKey()));
        RawIdEntry now = current.decided(profileId, revision).orElse(current);
        if (now != current) {
            entry.setValue(now);
        }
        return now;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(profileId);
        out.writeLong(revision);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        profileId = in.readString();
        revision = in.readLong();
    }
}
