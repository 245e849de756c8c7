package com.profilegrid.node.ingest;

/**
 * Why a tracking request is refused: the HTTP status, a message that names the problem, and for 429 and
 * 503 how many seconds the client should wait. Nothing was written when this is thrown.
 */
public class IngestException extends RuntimeException {

    private final int status;
    private final int retryAfterSeconds;
    private final String reason;

    public IngestException(int status, String message) {
        this(status, message, 0, null);
    }

    public IngestException(int status, String message, int retryAfterSeconds, Throwable cause) {
        this(status, reasonOf(status), message, retryAfterSeconds, cause);
    }

    /** @param reason the refusal's name in the node's metrics ({@code profilegrid_tracking_refused_total}) */
    public IngestException(int status, String reason, String message, int retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    private static String reasonOf(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthorized";
            case 413 -> "too_large";
            case 415 -> "unsupported_encoding";
            case 429 -> "rate_limited";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }

    /** The refusal's name in metrics: invalid, unauthorized, too_large, rate_limited, unavailable, overloaded, ... */
    public String reason() {
        return reason;
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
