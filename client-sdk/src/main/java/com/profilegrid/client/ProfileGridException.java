package com.profilegrid.client;

/** A ProfileGrid client call failed: the cluster or ingest could not be reached, or refused the call. */
public class ProfileGridException extends RuntimeException {

    public ProfileGridException(String message, Throwable cause) {
        super(message, cause);
    }

    public ProfileGridException(String message) {
        super(message);
    }
}
