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

    /**
     * What is wrong with a JSON document, for the person who sent it: Jackson's own words without its internals (the
     * "[Source: REDACTED ...]" part), and where: {@code Unexpected end-of-input: expected close marker for Object at
     * line 1, column 27}.
     */
    public static String problem(com.fasterxml.jackson.core.JacksonException e) {
        String message = e.getOriginalMessage() == null ? "not valid JSON" : e.getOriginalMessage();
        for (String internals : new String[] {" (start marker at", "\n at [Source", " at [Source", "[Source:"}) {
            int cut = message.indexOf(internals);
            if (cut >= 0) {
                message = message.substring(0, cut);
            }
        }
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0 ? message.trim()
                : message.trim() + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
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
