package com.profilegrid.pipelines.profile;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import java.time.Instant;

/** Explicit Compact serializer of {@link DeadLetter}; registered in the member YAML. */
public final class DeadLetterSerializer implements CompactSerializer<DeadLetter> {

    @Override
    public DeadLetter read(CompactReader in) {
        Long firstSeen = in.readNullableInt64("firstSeen");
        return new DeadLetter(in.readString("project"), in.readString("messageId"), in.readInt64("shard"),
                in.readInt64("seq"), in.readString("reason"), firstSeen == null ? null : Instant.ofEpochMilli(firstSeen));
    }

    @Override
    public void write(CompactWriter out, DeadLetter letter) {
        out.writeString("project", letter.project());
        out.writeString("messageId", letter.messageId());
        out.writeInt64("shard", letter.shard());
        out.writeInt64("seq", letter.seq());
        out.writeString("reason", letter.reason());
        out.writeNullableInt64("firstSeen", letter.firstSeen() == null ? null : letter.firstSeen().toEpochMilli());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.DeadLetter";
    }

    @Override
    public Class<DeadLetter> getCompactClass() {
        return DeadLetter.class;
    }
}
