package com.profilegrid.node.store;

/** The database did not answer within the wait at a node's (or a command's) start. */
public final class DatabaseUnreachableException extends RuntimeException {

    public DatabaseUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
