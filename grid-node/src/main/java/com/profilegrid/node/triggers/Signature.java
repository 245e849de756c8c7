package com.profilegrid.node.triggers;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The {@code ProfileGrid-Signature} header of a webhook delivery: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" keyed by the trigger's secret>}. A receiver recomputes it from the raw body and compares, and refuses
 * an old {@code t} to stop replays.
 */
public final class Signature {

    /** A MAC per thread, keyed anew at each call: the algorithm is looked up once per thread, not at every attempt. */
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    });

    private Signature() {
    }

    /** The header's value for {@code body} sent at {@code unixSeconds}. */
    public static String header(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds + "." + body);
    }

    /** Hex HMAC-SHA256 of {@code text} keyed by {@code secret}. */
    public static String hmac(String secret, String text) {
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
