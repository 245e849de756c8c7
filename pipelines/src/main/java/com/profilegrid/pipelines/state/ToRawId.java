package com.profilegrid.pipelines.state;

import com.profilegrid.pipelines.profile.LogRecord;

/** What the raw-id step of {@link StatePipeline} takes, keyed and ordered by raw id ({@code project␟typed id}). */
public sealed interface ToRawId permits ToRawId.Event, ToRawId.Decision {

    /** The raw id's key, {@link com.profilegrid.model.GridMaps#projectKey}. */
    String rawKey();

    /** A logged event whose primary id is this raw id. */
    record Event(String rawKey, LogRecord record) implements ToRawId {
    }

    /**
     * An identity decision: the raw id left profile {@code from} (its own id when it was new to the graph) for profile
     * {@code to}, at the project graph's {@code revision}.
     */
    record Decision(String rawKey, String from, String to, long revision) implements ToRawId {
    }
}
