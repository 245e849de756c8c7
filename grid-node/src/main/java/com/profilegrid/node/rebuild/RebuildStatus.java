package com.profilegrid.node.rebuild;

/**
 * Where a rebuild stands.
 *
 * @param state           IDLE, CATCHING_UP, SWITCHING, DONE or FAILED
 * @param project         the project rebuilt alone, or {@code null} when every project is
 * @param fromGeneration  the generation readers used when it started
 * @param toGeneration    the generation it builds
 * @param eventsRead      events the rebuild job has read from the tracking log
 * @param eventsInLog     events in the tracking log (of the project rebuilt alone) at the last check
 * @param eventsPerSecond read rate over the last check
 * @param etaSeconds      estimated seconds until it has read the log, or -1 when unknown
 * @param message         what happened last, in words
 */
public record RebuildStatus(String state, String project, int fromGeneration, int toGeneration, long eventsRead,
                            long eventsInLog, double eventsPerSecond, long etaSeconds, String message) {

    static final RebuildStatus IDLE = new RebuildStatus("IDLE", null, 0, 0, 0, 0, 0, -1, "no rebuild has run on this node");

    RebuildStatus with(String newState, String newMessage) {
        return new RebuildStatus(newState, project, fromGeneration, toGeneration, eventsRead, eventsInLog, eventsPerSecond,
                etaSeconds, newMessage);
    }

    RebuildStatus progress(long read, long inLog, double rate, long eta, String newMessage) {
        return new RebuildStatus(state, project, fromGeneration, toGeneration, read, inLog, rate, eta, newMessage);
    }

    public boolean running() {
        return state.equals("CATCHING_UP") || state.equals("SWITCHING");
    }
}
