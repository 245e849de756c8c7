package com.profilegrid.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.ReliableMessageListener;
import com.profilegrid.client.Firing;

import java.io.IOException;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Hands the firings published on a project's reliable topic to a listener, as {@link Firing}s. It starts with the
 * firings published after it registered and keeps listening through member loss and reconnects: a listener that fell
 * further behind than the topic holds (see the node's {@code hazelcast.yaml}) goes on from the oldest one held.
 */
final class FiringListener implements ReliableMessageListener<String> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<Firing> listener;

    FiringListener(Consumer<Firing> listener) {
        this.listener = listener;
    }

    @Override
    public void onMessage(Message<String> message) {
        Firing firing;
        try {
            firing = parse(message.getMessageObject());
        } catch (IOException | RuntimeException e) {
            return; // not a firing body: nothing a listener could use
        }
        listener.accept(firing);
    }

    static Firing parse(String body) throws IOException {
        JsonNode json = JSON.readTree(body);
        JsonNode cause = json.path("cause");
        String type = cause.path("type").asText();
        return new Firing(json.path("firingId").asText(), json.path("trigger").asText(), json.path("project").asText(),
                json.path("profileId").asText(), type,
                cause.path("event".equals(type) ? "event" : "label").asText(),
                cause.hasNonNull("messageId") ? cause.path("messageId").asText() : null,
                Instant.parse(json.path("firedAt").asText()), body);
    }

    @Override
    public long retrieveInitialSequence() {
        return -1; // the next one published
    }

    @Override
    public void storeSequence(long sequence) {
    }

    @Override
    public boolean isLossTolerant() {
        return true;
    }

    @Override
    public boolean isTerminal(Throwable failure) {
        return false; // a listener that throws stays registered
    }
}
