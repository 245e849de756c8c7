package com.profilegrid.model;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/** Explicit Compact serializer of {@link ProfileKey}; registered in the member and client YAML. */
public final class ProfileKeySerializer implements CompactSerializer<ProfileKey> {

    public static final String TYPE_NAME = "profilegrid.ProfileKey";

    @Override
    public ProfileKey read(CompactReader reader) {
        return new ProfileKey(reader.readString("project"), reader.readString("profileId"));
    }

    @Override
    public void write(CompactWriter writer, ProfileKey key) {
        writer.writeString("project", key.project());
        writer.writeString("profileId", key.profileId());
    }

    @Override
    public String getTypeName() {
        return TYPE_NAME;
    }

    @Override
    public Class<ProfileKey> getCompactClass() {
        return ProfileKey.class;
    }
}
