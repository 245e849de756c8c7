package com.profilegrid.pipelines.rules;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import java.time.Instant;

/** Explicit Compact serializer of {@link LabelDefinition}; registered in the member YAML. */
public final class LabelDefinitionSerializer implements CompactSerializer<LabelDefinition> {

    @Override
    public LabelDefinition read(CompactReader in) {
        return new LabelDefinition(in.readString("project"), in.readString("name"), in.readString("rule"),
                Instant.ofEpochMilli(in.readInt64("created")), Instant.ofEpochMilli(in.readInt64("updated")));
    }

    @Override
    public void write(CompactWriter out, LabelDefinition label) {
        out.writeString("project", label.project());
        out.writeString("name", label.name());
        out.writeString("rule", label.rule());
        out.writeInt64("created", label.created().toEpochMilli());
        out.writeInt64("updated", label.updated().toEpochMilli());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.LabelDefinition";
    }

    @Override
    public Class<LabelDefinition> getCompactClass() {
        return LabelDefinition.class;
    }
}
