package com.profilegrid.node.spool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;

import java.io.IOException;
import java.time.Instant;

/** A tracking event as one spool record: a flat JSON object with stable field names. */
final class SpoolCodec {

    private final ObjectMapper json = new ObjectMapper();

    byte[] encode(TrackingEvent event) throws IOException {
        ObjectNode node = json.createObjectNode()
                .put("project", event.project())
                .put("messageId", event.messageId())
                .put("type", event.type().wireName())
                .put("eventName", event.eventName())
                .put("anonymousId", event.anonymousId())
                .put("userId", event.userId())
                .put("previousId", event.previousId())
                .put("groupId", event.groupId())
                .put("timestamp", event.timestamp().toEpochMilli())
                .put("receivedAt", event.receivedAt().toEpochMilli())
                .put("properties", event.properties())
                .put("traits", event.traits())
                .put("context", event.context())
                .put("raw", event.raw());
        return json.writeValueAsBytes(node);
    }

    TrackingEvent decode(byte[] bytes) throws IOException {
        JsonNode node = json.readTree(bytes);
        return new TrackingEvent(
                node.get("project").asText(),
                node.get("messageId").asText(),
                EventType.ofWireName(node.get("type").asText()),
                text(node, "eventName"),
                text(node, "anonymousId"),
                text(node, "userId"),
                text(node, "previousId"),
                text(node, "groupId"),
                Instant.ofEpochMilli(node.get("timestamp").asLong()),
                Instant.ofEpochMilli(node.get("receivedAt").asLong()),
                node.get("properties").asText(),
                node.get("traits").asText(),
                node.get("context").asText(),
                node.get("raw").asText());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
