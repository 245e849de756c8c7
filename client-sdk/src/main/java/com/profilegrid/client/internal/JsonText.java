package com.profilegrid.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.profilegrid.client.ProfileGridException;

/**
 * JSON text of the values the SDK sends. Dates and times ({@code java.time}, {@code java.util.Date}) are written as
 * ISO-8601 text, as Segment's Java library writes them, rather than refused or written as numbers.
 */
final class JsonText {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private JsonText() {
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new ProfileGridException("cannot write tracking call as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
