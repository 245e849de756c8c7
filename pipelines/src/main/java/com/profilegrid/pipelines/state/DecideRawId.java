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
 * step, and the profile it pointed at before (one operation, one load of an evicted entry), so that the caller can
 * move the id's fold (its own events) from the profile it left to the one it now belongs to.
 */
public final class DecideRawId implements EntryProcessor<String, RawIdEntry, DecideRawId.Result>, DataSerializable {

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
    public Result process(Map.Entry<String, RawIdEntry> entry) {
        RawIdEntry was = entry.getValue();
        RawIdEntry current = was != null ? was
                : RawIdEntry.empty(GridMaps.projectOf(entry.getKey()), GridMaps.idOf(entry.getKey()));
        RawIdEntry now = current.decided(profileId, revision).orElse(current);
        if (now != current) {
            entry.setValue(now);
        }
        return new Result(was == null ? null : was.currentProfileId(), now);
    }

    /** The profile the id pointed at before the step ({@code null}: the id had no entry), and its entry after it. */
    public static final class Result implements DataSerializable {
        private String before;
        private RawIdEntry now;

        /** For deserialization. */
        public Result() {
        }

        Result(String before, RawIdEntry now) {
            this.before = before;
            this.now = now;
        }

        public String before() {
            return before;
        }

        public RawIdEntry now() {
            return now;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeString(before);
            out.writeObject(now);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            before = in.readString();
            now = in.readObject();
        }
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
