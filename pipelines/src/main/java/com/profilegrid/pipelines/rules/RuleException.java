package com.profilegrid.pipelines.rules;

/** A rule that is not valid: the message names the faulty part by its JSON path ({@code /rule/all/1/op: ...}). */
public final class RuleException extends IllegalArgumentException {

    private final String path;

    RuleException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /** The JSON path of the faulty part. */
    public String path() {
        return path;
    }
}
