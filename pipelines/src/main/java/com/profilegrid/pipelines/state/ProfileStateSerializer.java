package com.profilegrid.pipelines.state;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * Compact serializer of {@link ProfileState}, registered in the member YAML: the state packed ({@link PackedState}),
 * beside its event total ({@code events}, the sum of the profile's event counts) as a field of its own, which
 * {@code EventCount} sums in place without reading the packed state.
 */
public final class ProfileStateSerializer implements CompactSerializer<ProfileState> {

    @Override
    public ProfileState read(CompactReader in) {
        return PackedState.unpackState(in.readArrayOfInt8("packed"));
    }

    @Override
    public void write(CompactWriter out, ProfileState state) {
        out.writeArrayOfInt8("packed", PackedState.pack(state));
        long events = 0;
        for (long n : state.profile().eventCounts().values()) {
            events += n;
        }
        out.writeInt64("events", events);
    }

    @Override
    public String getTypeName() {
        return "profilegrid.ProfileState";
    }

    @Override
    public Class<ProfileState> getCompactClass() {
        return ProfileState.class;
    }
}
