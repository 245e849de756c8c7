package com.profilegrid.pipelines.state;

import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.profilegrid.model.Profile;

import java.util.HashMap;
import java.util.Map;

/**
 * Explicit Compact serializer of {@link ProfileState}; versions as two parallel arrays.
 * Registered in the member YAML. A field added later reads as 0 from an entry written before it (by a member of the
 * earlier version in a rolling upgrade).
 */
public final class ProfileStateSerializer implements CompactSerializer<ProfileState> {

    @Override
    public ProfileState read(CompactReader in) {
        String[] rawIds = in.readArrayOfString("rawIds");
        long[] versions = in.readArrayOfInt64("versions");
        Map<String, Long> absorbed = new HashMap<>(rawIds.length * 2);
        for (int i = 0; i < rawIds.length; i++) {
            absorbed.put(rawIds[i], versions[i]);
        }
        int memberChunks = in.getFieldKind("memberChunks") == FieldKind.INT32 ? in.readInt32("memberChunks") : 0;
        return new ProfileState(in.readCompact("profile"), absorbed, memberChunks);
    }

    @Override
    public void write(CompactWriter out, ProfileState state) {
        String[] rawIds = new String[state.absorbed().size()];
        long[] versions = new long[rawIds.length];
        int i = 0;
        for (Map.Entry<String, Long> version : state.absorbed().entrySet()) {
            rawIds[i] = version.getKey();
            versions[i++] = version.getValue();
        }
        out.<Profile>writeCompact("profile", state.profile());
        out.writeArrayOfString("rawIds", rawIds);
        out.writeArrayOfInt64("versions", versions);
        out.writeInt32("memberChunks", state.memberChunks());
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
