package com.profilegrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A node in a JVM of its own, started with {@code bin/profilegrid node} and a given {@code -Xmx}; its heap read by jcmd. */
final class ChildNode implements AutoCloseable {

    private static final Path HOME = Path.of(System.getProperty("profilegrid.home", ".")).toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final Process process;
    private final Path log;

    private ChildNode(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildNode start(Path dir, String heap, String... flags) throws IOException {
        return start(dir, heapFlags(heap), List.of(), flags);
    }

    /** {@code -Xmx} and {@code -Xms} of the given size. */
    static List<String> heapFlags(String heap) {
        return List.of("-Xmx" + heap, "-Xms" + heap);
    }

    /**
     * A node with the given JVM flags, its launcher run under {@code wrapper} (e.g. {@code taskset -c 1 nice -n 19}; each
     * execs the next, so the pid stays the node's and its JVM sees only the cores it may use), or directly when empty.
     */
    static ChildNode start(Path dir, List<String> jvmFlags, List<String> wrapper, String... flags) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(HOME.resolve("bin/profilegrid").toString(), "node"));
        command.addAll(List.of(flags));
        Path log = dir.resolve("node.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("JAVA_OPTS", String.join(" ", jvmFlags));
        builder.environment().put("PROFILEGRID_LOG_LEVEL", "WARN");
        return new ChildNode(builder.start(), log);
    }

    void awaitReady(String baseUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long giveUp = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < giveUp) {
            if (!alive()) {
                throw new IllegalStateException("the node exited: " + lastLines());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the node did not get ready: " + lastLines());
    }

    /** Creates a project over a node's admin API; its write key. */
    static String createProject(String baseUrl, String adminToken, String name) throws IOException, InterruptedException {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/admin/projects"))
                .header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() / 100 != 2) {
            throw new IllegalStateException("creating project " + name + ": " + created.statusCode() + " " + created.body());
        }
        return JSON.readTree(created.body()).get("writeKey").asText();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Used heap right after a full GC, in bytes, as jcmd reports it for the node's JVM. */
    long heapAfterGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher used = USED.matcher(jcmd("GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    }

    /** The java launcher's process runs the node (bin/profilegrid execs it). */
    private String jcmd(String what) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), what).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes());
        run.waitFor(60, TimeUnit.SECONDS);
        return output;
    }

    /**
     * What each map of the node holds, from its {@code /metrics}: per map, the entries and the bytes Hazelcast counts
     * for them (keys, values and record overhead), owned and backup together.
     */
    static java.util.SortedMap<String, long[]> mapFigures(String baseUrl) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.SortedMap<String, long[]> figures = new java.util.TreeMap<>();
        Matcher row = MAP_ROW.matcher(text);
        while (row.find()) {
            int column = row.group(1).equals("entries") ? 0 : 1;
            figures.computeIfAbsent(row.group(2), m -> new long[2])[column] += (long) Double.parseDouble(row.group(3));
        }
        return figures;
    }

    private static final Pattern MAP_ROW = Pattern.compile(
            "(?m)^hazelcast_map_(entries|memory_bytes)\\{[^}]*map=\"([^\"]+)\"[^}]*} (\\S+)$");

    String lastLines() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
