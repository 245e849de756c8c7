package com.profilegrid.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A grid node in a JVM of its own, started with the documented launcher {@code bin/profilegrid node}. */
public final class NodeProcess implements AutoCloseable {

    public static final Path HOME = Path.of(System.getProperty("profilegrid.home", "..")).toAbsolutePath().normalize();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private NodeProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Starts {@code bin/profilegrid node} with these flags (plus {@code --http-port}); output goes to {@code log}. */
    public static NodeProcess start(Path log, int httpPort, String... flags) throws IOException {
        return start(log, httpPort, java.util.Map.of(), flags);
    }

    /** As {@link #start(Path, int, String...)}, with these variables added to the environment (e.g. {@code JAVA_OPTS}). */
    public static NodeProcess start(Path log, int httpPort, java.util.Map<String, String> environment, String... flags)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/profilegrid").toString(), "node",
                "--http-port", Integer.toString(httpPort)));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new NodeProcess(process, log, httpPort);
    }

    public NodeProcess awaitReady() {
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + output());
            }
            return status("/ready") == 200;
        });
        return this;
    }

    public int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM, and whether the process exited within the timeout. */
    public boolean terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit code once the process has exited by itself within the timeout, or -1 while it still runs. */
    public int exitCode(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
