package com.profilegrid.pipelines.profile;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.profilegrid.model.TrackingEvent;

/** Explicit Compact serializer of {@link LogRecord} (items of the profile pipeline); registered in the member YAML. */
public final class LogRecordSerializer implements CompactSerializer<LogRecord> {

    @Override
    public LogRecord read(CompactReader in) {
        // written without the flag by a member of an earlier version: taken as a possible replay, the safe side
        boolean replayed = in.getFieldKind("replayed") != com.hazelcast.nio.serialization.FieldKind.BOOLEAN
                || in.readBoolean("replayed");
        return new LogRecord(in.readInt64("shard"), in.readInt64("seq"), in.readCompact("event"), replayed);
    }

    @Override
    public void write(CompactWriter out, LogRecord record) {
        out.writeInt64("shard", record.shard());
        out.writeInt64("seq", record.seq());
        out.<TrackingEvent>writeCompact("event", record.event());
        out.writeBoolean("replayed", record.replayed());
    }

    @Override
    public String getTypeName() {
        return "profilegrid.LogRecord";
    }

    @Override
    public Class<LogRecord> getCompactClass() {
        return LogRecord.class;
    }
}
