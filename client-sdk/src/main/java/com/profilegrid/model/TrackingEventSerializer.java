package com.profilegrid.model;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

import java.time.Instant;

/** Explicit Compact serializer of {@link TrackingEvent}; registered in the member and client YAML. */
public final class TrackingEventSerializer implements CompactSerializer<TrackingEvent> {

    public static final String TYPE_NAME = "profilegrid.TrackingEvent";

    @Override
    public TrackingEvent read(CompactReader in) {
        return new TrackingEvent(
                in.readString("project"),
                in.readString("messageId"),
                EventType.valueOf(in.readString("type")),
                in.readString("eventName"),
                in.readString("anonymousId"),
                in.readString("userId"),
                in.readString("previousId"),
                in.readString("groupId"),
                Instant.ofEpochMilli(in.readInt64("timestamp")),
                Instant.ofEpochMilli(in.readInt64("receivedAt")),
                in.readString("properties"),
                in.readString("traits"),
                in.readString("context"),
                in.readString("raw"));
    }

    @Override
    public void write(CompactWriter out, TrackingEvent event) {
        out.writeString("project", event.project());
        out.writeString("messageId", event.messageId());
        out.writeString("type", event.type().name());
        out.writeString("eventName", event.eventName());
        out.writeString("anonymousId", event.anonymousId());
        out.writeString("userId", event.userId());
        out.writeString("previousId", event.previousId());
        out.writeString("groupId", event.groupId());
        out.writeInt64("timestamp", event.timestamp().toEpochMilli());
        out.writeInt64("receivedAt", event.receivedAt().toEpochMilli());
        out.writeString("properties", event.properties());
        out.writeString("traits", event.traits());
        out.writeString("context", event.context());
        out.writeString("raw", event.raw());
    }

    @Override
    public String getTypeName() {
        return TYPE_NAME;
    }

    @Override
    public Class<TrackingEvent> getCompactClass() {
        return TrackingEvent.class;
    }
}
