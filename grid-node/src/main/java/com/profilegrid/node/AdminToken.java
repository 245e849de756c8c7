package com.profilegrid.node;

import com.profilegrid.node.project.ApiKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The admin API token: the configured one, else the one in {@code <data-dir>/admin-token}, created once (mode 600). */
final class AdminToken {

    private AdminToken() {
    }

    static String resolve(NodeSettings settings) {
        if (settings.adminToken() != null && !settings.adminToken().isBlank()) {
            return settings.adminToken();
        }
        Path file = settings.dataDir().resolve("admin-token");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            String token = ApiKeys.newId("pga_", 24);
            Files.writeString(file, token + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps the default permissions
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
