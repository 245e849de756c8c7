package com.profilegrid.pipelines.identity;

import java.io.Serializable;
import java.time.Instant;
import java.util.Comparator;

/**
 * A statement, made by one event, that two ids belong to one visitor.
 *
 * @param a         one id
 * @param b         the other id
 * @param at        event time of the event that made it
 * @param messageId the event that made it
 */
public record Link(String a, String b, Instant at, String messageId) implements Serializable {

    /** The order in which links are decided: by event time, then message id, then ids. Total and stable. */
    public static final Comparator<Link> DECISION_ORDER = Comparator.comparing(Link::at)
            .thenComparing(Link::messageId).thenComparing(Link::a).thenComparing(Link::b);
}
