package com.profilegrid.node.spool;

import java.io.IOException;

/** The spool has reached its size limit: nothing more is accepted until the replayer drains it. */
public class SpoolFullException extends IOException {

    public SpoolFullException(String message) {
        super(message);
    }
}
