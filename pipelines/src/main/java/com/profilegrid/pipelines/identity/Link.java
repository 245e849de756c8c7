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
    public static final Comparator<Link> DECISION_ORDER = new DecisionOrder();

    /** A named, serializable comparator, so that a graph holding a sorted set of links can be snapshotted. */
    private static final class DecisionOrder implements Comparator<Link>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Link x, Link y) {
            int c = x.at().compareTo(y.at());
            if (c == 0) {
                c = x.messageId().compareTo(y.messageId());
            }
            if (c == 0) {
                c = x.a().compareTo(y.a());
            }
            return c != 0 ? c : x.b().compareTo(y.b());
        }
    }
}
