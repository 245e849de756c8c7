package com.profilegrid.node.support;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * JSON written straight to text with a generator, without a tree in between: the profile's columns, its
 * {@code GET /v1/profiles} answer and each webhook's body.
 */
public final class JsonText {

    /** What is written. */
    @FunctionalInterface
    public interface Writing {
        void write(JsonGenerator out) throws IOException;
    }

    private JsonText() {
    }

    /**
     * The text {@code writing} writes through a generator of {@code json} (whose codec writes any tree it is given),
     * starting with room for {@code capacity} characters.
     */
    public static String of(ObjectMapper json, int capacity, Writing writing) {
        StringWriter text = new StringWriter(capacity);
        try (JsonGenerator out = json.getFactory().createGenerator(text)) {
            writing.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
        return text.toString();
    }
}
