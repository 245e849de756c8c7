package com.profilegrid.pipelines.profile;

import com.profilegrid.pipelines.identity.Link;

import java.io.Serializable;

/**
 * An identity link of {@code project} recorded by an earlier run of the profile job ({@link DurableProgress}): a job
 * that starts from durable positions rather than from the log's beginning gives its identity graphs these links first,
 * as the events before those positions would have.
 */
public record LinkSeed(String project, Link link) implements LogItem, Serializable {
}
