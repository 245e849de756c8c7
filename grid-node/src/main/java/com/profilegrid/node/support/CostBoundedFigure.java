package com.profilegrid.node.support;

import java.util.function.LongSupplier;

/**
 * A figure whose measurement costs the database a scan (a {@code COUNT(*)} over a table that grows without bound):
 * measured again only once the time since its last measurement is at least {@link #TIMES_ITS_COST} times what that
 * measurement took, so that it never costs the database more than about a fiftieth of one connection's time however
 * large the table grows; in between, the last value is answered. A table that counts in a millisecond is counted at
 * every ask; one whose count takes a second, once a minute or so. (A rebuild had counted the tracking log every
 * second for its progress: on a log of 800,000 rows each count took PostgreSQL about a second, half of a core
 * through the rebuild.)
 */
public final class CostBoundedFigure<T> {

    /** How many times a measurement's own duration must pass before the next. */
    public static final long TIMES_ITS_COST = 50;

    /** A measurement that may fail. */
    @FunctionalInterface
    public interface Measure<T, E extends Exception> {
        T measure() throws E;
    }

    private final LongSupplier nanoTime;
    private boolean measured;
    private T value;
    private long dueNanos;

    public CostBoundedFigure() {
        this(System::nanoTime);
    }

    /** With {@code nanoTime} as the clock (a test's). */
    public CostBoundedFigure(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The figure: measured now by {@code measure} when due (or never measured yet), else the last measurement. */
    public synchronized <E extends Exception> T get(Measure<T, E> measure) throws E {
        long now = nanoTime.getAsLong();
        if (measured && now - dueNanos < 0) {
            return value;
        }
        T measuredValue = measure.measure();
        long took = nanoTime.getAsLong() - now;
        value = measuredValue;
        measured = true;
        dueNanos = now + took + took * TIMES_ITS_COST;
        return value;
    }
}
