package com.profilegrid.node.project;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/** Explicit Compact serializer of {@link ProjectStore.StoredKey} (the key hashes held on the grid); in the member YAML. */
public final class StoredKeySerializer implements CompactSerializer<ProjectStore.StoredKey> {

    @Override
    public ProjectStore.StoredKey read(CompactReader in) {
        return new ProjectStore.StoredKey(in.readString("keyId"), in.readString("projectId"),
                KeyKind.valueOf(in.readString("kind")), in.readString("hash"), in.readBoolean("revoked"));
    }

    @Override
    public void write(CompactWriter out, ProjectStore.StoredKey key) {
        out.writeString("keyId", key.keyId());
        out.writeString("projectId", key.projectId());
        out.writeString("kind", key.kind().name());
        out.writeString("hash", key.hash());
        out.writeBoolean("revoked", key.revoked());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.StoredKey";
    }

    @Override
    public Class<ProjectStore.StoredKey> getCompactClass() {
        return ProjectStore.StoredKey.class;
    }
}
