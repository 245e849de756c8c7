package com.profilegrid.node.ingest;

import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body while it streams in, never past a limit: a larger body (declared or not, plain or
 * gzip) is refused as soon as the limit is crossed, without buffering the rest.
 */
final class BoundedBody {

    /**
     * A body declared too large but no larger than this is read and dropped before the refusal is sent: a client
     * still sending it would otherwise find the connection closed under it and never see the 413. Larger ones are
     * refused at once. A body of no declared length that crosses the limit is read on for up to this many more bytes
     * before the refusal, for the same reason: a client that sends a little too much in chunks reads its 413 (how much
     * of the rest the server swallows on its own depends on timing; a loaded machine showed it does not always).
     */
    private static final long DRAIN_LIMIT = 1024 * 1024;

    private BoundedBody() {
    }

    /** The request's body, plain or gzip, refused past {@code limit} bytes; {@code what} names it in the refusal. */
    static byte[] read(Context ctx, int limit, String what) {
        try {
            return read(ctx.req().getInputStream(), ctx.header("Content-Encoding"), ctx.req().getContentLengthLong(), limit, what);
        } catch (IOException e) {
            throw new IngestException(400, "could not read the request body: " + e.getMessage(), 0, e);
        }
    }

    private static void drain(InputStream in, long atMost) {
        byte[] buffer = new byte[8192];
        long dropped = 0;
        try {
            int read;
            while (dropped < atMost && (read = in.read(buffer, 0, (int) Math.min(buffer.length, atMost - dropped))) >= 0) {
                dropped += read;
            }
        } catch (IOException e) {
            // the client went away: nobody is left to read the refusal either
        }
    }

    private static byte[] read(InputStream in, String contentEncoding, long declaredLength, int limit, String what) {
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        boolean gzip = encoding.equals("gzip");
        if (!gzip && !encoding.isEmpty() && !encoding.equals("identity")) {
            throw new IngestException(415, "Content-Encoding '" + contentEncoding + "' is not supported; use gzip or none");
        }
        if (!gzip && declaredLength > limit) {
            if (declaredLength <= DRAIN_LIMIT) {
                drain(in, DRAIN_LIMIT);
            }
            throw IngestException.tooLarge(what + " is " + declaredLength + " bytes; the limit is " + limit + " bytes");
        }
        try (InputStream body = gzip ? new GZIPInputStream(in, 8192) : in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 16 * 1024));
            byte[] buffer = new byte[8192];
            int total = 0;
            int read;
            while ((read = body.read(buffer)) >= 0) {
                total += read;
                if (total > limit) {
                    drain(in, DRAIN_LIMIT);
                    throw IngestException.tooLarge(what + " is larger than the limit of " + limit + " bytes"
                            + (gzip ? " (uncompressed)" : ""));
                }
                out.write(buffer, 0, read);
            }
            return out.toByteArray();
        } catch (ZipException e) {
            throw new IngestException(400, "body is not valid gzip: " + e.getMessage(), 0, e);
        } catch (IOException e) {
            throw new IngestException(400, "could not read the request body: " + e.getMessage(), 0, e);
        }
    }
}
