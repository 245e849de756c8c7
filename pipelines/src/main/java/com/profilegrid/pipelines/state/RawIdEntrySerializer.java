package com.profilegrid.pipelines.state;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.profilegrid.model.Profile;

import java.util.HashMap;
import java.util.Map;

/**
 * Explicit Compact serializer of {@link RawIdEntry}; positions as two parallel arrays.
 * Registered in the member YAML. A field added later reads as 0 from an entry written before it (by a member of the
 * earlier version in a rolling upgrade).
 */
public final class RawIdEntrySerializer implements CompactSerializer<RawIdEntry> {

    @Override
    public RawIdEntry read(CompactReader in) {
        long[] shards = in.readArrayOfInt64("appliedShards");
        long[] seqs = in.readArrayOfInt64("appliedSeqs");
        Map<Long, Long> applied = new HashMap<>(shards.length * 2);
        for (int i = 0; i < shards.length; i++) {
            applied.put(shards[i], seqs[i]);
        }
        return new RawIdEntry(in.readCompact("partial"), applied, in.readInt64("version"), in.readString("profileId"),
                in.readInt64("profileRevision"),
                in.getFieldKind("sealed") == FieldKind.INT64 ? in.readInt64("sealed") : 0);
    }

    @Override
    public void write(CompactWriter out, RawIdEntry entry) {
        long[] shards = new long[entry.applied().size()];
        long[] seqs = new long[shards.length];
        int i = 0;
        for (Map.Entry<Long, Long> position : entry.applied().entrySet()) {
            shards[i] = position.getKey();
            seqs[i++] = position.getValue();
        }
        out.<Profile>writeCompact("partial", entry.partial());
        out.writeArrayOfInt64("appliedShards", shards);
        out.writeArrayOfInt64("appliedSeqs", seqs);
        out.writeInt64("version", entry.version());
        out.writeString("profileId", entry.profileId());
        out.writeInt64("profileRevision", entry.profileRevision());
        out.writeInt64("sealed", entry.sealed());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.RawIdEntry";
    }

    @Override
    public Class<RawIdEntry> getCompactClass() {
        return RawIdEntry.class;
    }
}
