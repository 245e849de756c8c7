package com.profilegrid.node.sdks;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeFixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs a real client library from the npm registry for a test to drive, once per build: into
 * {@code target/npm/<name>-<version>/node_modules}, never into the repository.
 */
public final class NpmPackages {

    private static final long INSTALL_MINUTES = 3;

    private NpmPackages() {
    }

    /** The directory holding {@code node_modules/<name>} at {@code version}, installed if it is not there yet. */
    public static synchronized Path install(String name, String version) throws IOException, InterruptedException {
        Path dir = Path.of("target", "npm", name.replace('/', '+').replace("@", "") + "-" + version).toAbsolutePath();
        if (Files.exists(dir.resolve("node_modules").resolve(name).resolve("package.json"))) {
            return dir;
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("npm-install.log");
        List<String> command = List.of("npm", "install", "--no-audit", "--no-fund", "--no-package-lock",
                "--prefix", dir.toString(), name + "@" + version);
        Process npm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!npm.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
            npm.destroyForcibly();
            throw new IllegalStateException(command + " did not finish within " + INSTALL_MINUTES + " minutes; see " + log);
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException(command + " failed (" + npm.exitValue() + "): " + Files.readString(log));
        }
        return dir;
    }

    /**
     * Runs the test resource {@code script} (a driver of the SDK installed in {@code sdk}) against {@code node}, with
     * {@code PROFILEGRID_URL} and {@code SDK_DIR} set and {@code env} added; what it printed, as JSON.
     */
    public static JsonNode drive(String script, Path sdk, NodeFixture node, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("PROFILEGRID_URL", "http://127.0.0.1:" + node.node().httpPort());
        all.put("SDK_DIR", sdk.toString());
        Path path = Path.of(NpmPackages.class.getResource(script).toURI());
        return NodeFixture.json(runNode(path, all, 60));
    }

    /** Runs {@code node script} with {@code env} added; its stdout, or a failure with its stderr. */
    public static String runNode(Path script, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("profilegrid-node-out", ".txt");
        Path err = Files.createTempFile("profilegrid-node-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder("node", script.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process node = builder.start();
            if (!node.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                throw new IllegalStateException("node " + script + " did not finish within " + timeoutSeconds
                        + " s: " + Files.readString(err));
            }
            if (node.exitValue() != 0) {
                throw new IllegalStateException("node " + script + " failed (" + node.exitValue() + "): "
                        + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
