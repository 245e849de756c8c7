package com.profilegrid.pipelines.identity;

/** An identity link of {@code project}, as the identity graphs record it and read it back. */
public record ProjectLink(String project, Link link) {
}
