package com.profilegrid.node;

import com.profilegrid.node.project.ApiKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** The admin API token: the configured one, else the one in {@code <data-dir>/admin-token}, created once (mode 600). */
final class AdminToken {

    private AdminToken() {
    }

    /** The configured token, else the one in the data directory, or empty when there is none yet. */
    static Optional<String> existing(NodeSettings settings) {
        return existing(settings.adminToken(), settings.dataDir());
    }

    /** {@code configured} unless blank, else the token in {@code dataDir}, or empty when there is none yet. */
    static Optional<String> existing(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return Optional.of(configured);
        }
        Path file = dataDir.resolve("admin-token");
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).trim()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The existing token, or a new one written to the data directory. */
    static String resolve(NodeSettings settings) {
        Optional<String> existing = existing(settings);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path file = settings.dataDir().resolve("admin-token");
        try {
            String token = ApiKeys.newId("pga_", 24);
            Files.writeString(file, token + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps the default permissions
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }
}
