package com.profilegrid.node.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON reader for untrusted input: Jackson with its read limits tightened well below its defaults,
 * so a JSON bomb (deep nesting, giant strings, numbers or names) fails fast while parsing.
 */
public final class Json {

    public static final int MAX_DEPTH = 32;
    public static final int MAX_STRING = 32 * 1024;
    public static final int MAX_NUMBER_DIGITS = 100;
    public static final int MAX_NAME = 1024;

    private Json() {
    }

    public static ObjectMapper untrustedInput(long maxDocumentBytes) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(MAX_STRING)
                        .maxNumberLength(MAX_NUMBER_DIGITS)
                        .maxNameLength(MAX_NAME)
                        .maxDocumentLength(maxDocumentBytes)
                        .build())
                .build();
        return new ObjectMapper(factory);
    }
}
