package com.profilegrid.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.profilegrid.client.ProfileGridException;

/** JSON text of the values the SDK sends. */
final class JsonText {

    private static final ObjectMapper JSON = new ObjectMapper();

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
