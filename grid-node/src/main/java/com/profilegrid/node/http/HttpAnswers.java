package com.profilegrid.node.http;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** What every ProfileGrid endpoint shares: the shape of a refusal, and reading HTTP Basic credentials. */
public final class HttpAnswers {

    private HttpAnswers() {
    }

    /** Answers {@code status} with {@code {"success": false, "message": ...}}. */
    public static void failure(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("success", false, "message", message));
    }

    /**
     * The user name of an {@code Authorization: Basic ...} header (where the tracking APIs carry their keys),
     * or empty when the header is not Basic.
     *
     * @throws IllegalArgumentException when the credentials are not valid base64
     */
    public static Optional<String> basicUser(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
    }

    /**
     * The {@code limit} query parameter of a listing: {@code fallback} when absent; -1 when it is not a whole number
     * from 1 to {@code max} (see {@link #limitRefusal}).
     */
    static int limit(Context ctx, int fallback, int max) {
        String given = ctx.queryParam("limit");
        if (given == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(given);
            return limit >= 1 && limit <= max ? limit : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Why {@link #limit} refused the request's {@code limit}. */
    static String limitRefusal(Context ctx, int max) {
        return "limit: a whole number from 1 to " + max + ", not \"" + ctx.queryParam("limit") + "\"";
    }
}
