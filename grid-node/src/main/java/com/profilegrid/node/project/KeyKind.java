package com.profilegrid.node.project;

import java.util.Locale;

/** What a project key may do: write (ingest) or read (profiles). A write key alone cannot read. */
public enum KeyKind {
    WRITE("pgw_"), READ("pgr_");

    private final String prefix;

    KeyKind(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }
}
