package com.profilegrid.pipelines.state;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/** Explicit Compact serializer of {@link ApplyToRawId.Outcome}; registered in the member YAML. */
public final class OutcomeSerializer implements CompactSerializer<ApplyToRawId.Outcome> {

    @Override
    public ApplyToRawId.Outcome read(CompactReader in) {
        return new ApplyToRawId.Outcome(in.readBoolean("applied"), in.readInt64("version"), in.readString("profileId"),
                in.readString("failure"));
    }

    @Override
    public void write(CompactWriter out, ApplyToRawId.Outcome outcome) {
        out.writeBoolean("applied", outcome.applied());
        out.writeInt64("version", outcome.version());
        out.writeString("profileId", outcome.profileId());
        out.writeString("failure", outcome.failure());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.RawIdOutcome";
    }

    @Override
    public Class<ApplyToRawId.Outcome> getCompactClass() {
        return ApplyToRawId.Outcome.class;
    }
}
