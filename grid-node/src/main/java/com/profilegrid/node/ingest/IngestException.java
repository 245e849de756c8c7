package com.profilegrid.node.ingest;

/**
 * Why a tracking request is refused: the HTTP status, a message that names the problem, and for 429 and
 * 503 how many seconds the client should wait. Nothing was written when this is thrown.
 */
public class IngestException extends RuntimeException {

    private final int status;
    private final int retryAfterSeconds;

    public IngestException(int status, String message) {
        this(status, message, 0, null);
    }

    public IngestException(int status, String message, int retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static IngestException badRequest(String message) {
        return new IngestException(400, message);
    }

    public static IngestException tooLarge(String message) {
        return new IngestException(413, message);
    }

    public static IngestException unauthorized(String message) {
        return new IngestException(401, message);
    }

    public static IngestException unavailable(String message, int retryAfterSeconds, Throwable cause) {
        return new IngestException(503, message, retryAfterSeconds, cause);
    }

    public int status() {
        return status;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
