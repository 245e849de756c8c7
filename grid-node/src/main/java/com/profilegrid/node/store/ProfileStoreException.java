package com.profilegrid.node.store;

/** A failure of the profile persistence boundary (database or row mapping); always carries its cause. */
public class ProfileStoreException extends RuntimeException {

    public ProfileStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
