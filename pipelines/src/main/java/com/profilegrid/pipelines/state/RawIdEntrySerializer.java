package com.profilegrid.pipelines.state;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/** Compact serializer of {@link RawIdEntry}, registered in the member YAML: the entry packed ({@link PackedState}). */
public final class RawIdEntrySerializer implements CompactSerializer<RawIdEntry> {

    @Override
    public RawIdEntry read(CompactReader in) {
        return PackedState.unpackRawId(in.readArrayOfInt8("packed"));
    }

    @Override
    public void write(CompactWriter out, RawIdEntry entry) {
        out.writeArrayOfInt8("packed", PackedState.pack(entry));
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
