package com.profilegrid.pipelines.profile;

/**
 * What the tracking-log source emits: the log's events ({@link LogRecord}) and, when a job starts afresh from durable
 * positions, the identity links recorded before them ({@link LinkSeed}), which come first.
 */
public sealed interface LogItem permits LogRecord, LinkSeed {

    /** The project the item belongs to. */
    String project();
}
