package com.profilegrid.node.project;

/** A failure of the project store (database); always carries its cause. */
public class ProjectStoreException extends RuntimeException {

    public ProjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
