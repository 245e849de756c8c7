package com.profilegrid.node.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Project keys: {@code <prefix><key id>.<secret>}, e.g. {@code pgw_3f9a0c1d2b4e5f60.Xy...}. The key id
 * finds the stored row; only the SHA-256 of the whole key is stored, and it is compared in constant time.
 * Secrets are 256 random bits, so a fast hash is enough (nothing to brute-force).
 */
public final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_KEY_LENGTH = 200;

    /** A key presented by a client, split into its parts. */
    public record Presented(KeyKind kind, String keyId, String token) {
    }

    private ApiKeys() {
    }

    public static String newId(String prefix, int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return prefix + HEX.formatHex(random);
    }

    /** A new key of {@code kind}: its id and the whole token (shown once, never stored). */
    public static Presented generate(KeyKind kind) {
        String keyId = newId("", 8);
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = kind.prefix() + keyId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Presented(kind, keyId, token);
    }

    /** Parses a presented token; empty when it is not shaped like a ProfileGrid key at all. */
    public static Optional<Presented> parse(String token) {
        if (token == null || token.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        for (KeyKind kind : KeyKind.values()) {
            if (token.startsWith(kind.prefix())) {
                int dot = token.indexOf('.');
                if (dot <= kind.prefix().length()) {
                    return Optional.empty();
                }
                return Optional.of(new Presented(kind, token.substring(kind.prefix().length(), dot), token));
            }
        }
        return Optional.empty();
    }

    public static String hash(String token) {
        return HEX.formatHex(sha256(token));
    }

    /** Constant-time comparison of a presented token with a stored hash. */
    public static boolean matches(String token, String storedHash) {
        return MessageDigest.isEqual(sha256(token), HEX.parseHex(storedHash));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
