package com.profilegrid.node.log;

/** The tracking log could not take or give events; always carries its cause where there is one. */
public class TrackingLogException extends RuntimeException {

    public TrackingLogException(String message) {
        super(message);
    }

    public TrackingLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
