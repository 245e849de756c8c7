package com.profilegrid.model;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * Explicit Compact serializer of {@link ProfileKey}; registered in the member and client YAML.
 *
 * <p>It writes the fields in the order of their names, as a Compact generic record does in every client language, so
 * that a key built without ProfileGrid's classes (a {@code GenericRecord} of the Node.js, Python or Java client)
 * serializes to the same bytes. A key's partition is the hash of those bytes (it is not {@code PartitionAware}): with
 * the fields in another order, such a client's read went to another partition.
 */
public final class ProfileKeySerializer implements CompactSerializer<ProfileKey> {

    public static final String TYPE_NAME = "profilegrid.ProfileKey";

    @Override
    public ProfileKey read(CompactReader reader) {
        return new ProfileKey(reader.readString("project"), reader.readString("profileId"));
    }

    @Override
    public void write(CompactWriter writer, ProfileKey key) {
        writer.writeString("profileId", key.profileId()); // in the order of the names: see the class comment
        writer.writeString("project", key.project());
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
