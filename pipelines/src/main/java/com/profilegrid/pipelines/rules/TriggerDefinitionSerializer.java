package com.profilegrid.pipelines.rules;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import java.time.Instant;

/** Explicit Compact serializer of {@link TriggerDefinition}; registered in the member YAML. */
public final class TriggerDefinitionSerializer implements CompactSerializer<TriggerDefinition> {

    @Override
    public TriggerDefinition read(CompactReader in) {
        return new TriggerDefinition(in.readString("project"), in.readString("name"), in.readString("definition"),
                Instant.ofEpochMilli(in.readInt64("created")), Instant.ofEpochMilli(in.readInt64("updated")));
    }

    @Override
    public void write(CompactWriter out, TriggerDefinition trigger) {
        out.writeString("project", trigger.project());
        out.writeString("name", trigger.name());
        out.writeString("definition", trigger.definition());
        out.writeInt64("created", trigger.created().toEpochMilli());
        out.writeInt64("updated", trigger.updated().toEpochMilli());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.TriggerDefinition";
    }

    @Override
    public Class<TriggerDefinition> getCompactClass() {
        return TriggerDefinition.class;
    }
}
