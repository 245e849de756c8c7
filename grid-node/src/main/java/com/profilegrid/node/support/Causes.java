package com.profilegrid.node.support;

import java.util.ArrayList;
import java.util.List;

/** A failure's cause chain, walked once in one place. */
public final class Causes {

    private Causes() {
    }

    /** {@code failure} and its causes, outermost first, the deepest last (a cause that is its own cause ends it). */
    public static List<Throwable> of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = failure; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }
}
