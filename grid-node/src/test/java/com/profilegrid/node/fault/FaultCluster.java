package com.profilegrid.node.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.NodeProcess;
import com.profilegrid.node.TestClusters;
import com.profilegrid.node.store.Database;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Three ProfileGrid members, each a JVM of its own started with {@code bin/profilegrid node}, on 127.0.0.1 and one
 * PostgreSQL schema: what the fault scenarios kill, stop and start again. Knows which it killed on purpose, so that
 * the checker can tell a member that died by itself.
 */
final class FaultCluster implements AutoCloseable {

    static final String ADMIN_TOKEN = "fault-suite-admin-token";
    private static final String HEAP = "-Xmx768m";

    private final Path dir;
    private final Database.Settings db;
    private final String cluster = TestClusters.uniqueClusterName();
    private final int[] hazelcastPorts;
    private final int[] httpPorts;
    private final NodeProcess[] nodes;
    private final boolean[] downOnPurpose;
    private final int[] starts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    FaultCluster(Path dir, Database.Settings db, int size) {
        this.dir = dir;
        this.db = db;
        this.hazelcastPorts = new int[size];
        this.httpPorts = new int[size];
        this.nodes = new NodeProcess[size];
        this.downOnPurpose = new boolean[size];
        this.starts = new int[size];
        for (int i = 0; i < size; i++) {
            hazelcastPorts[i] = NodeFixture.freePort();
            httpPorts[i] = NodeFixture.freePort();
        }
    }

    int size() {
        return nodes.length;
    }

    /** Starts every member, one after the other, each ready before the next. */
    FaultCluster startAll() throws IOException {
        for (int i = 0; i < nodes.length; i++) {
            start(i);
        }
        return this;
    }

    /** Starts member {@code i} (again) and waits until it is ready. */
    void start(int i) throws IOException {
        StringBuilder members = new StringBuilder();
        for (int port : hazelcastPorts) {
            members.append(members.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        starts[i]++;
        nodes[i] = NodeProcess.start(dir.resolve("node-" + i + "-" + starts[i] + ".log"), httpPorts[i],
                Map.of("JAVA_OPTS", HEAP), "--cluster-name", cluster, "--hazelcast-port",
                Integer.toString(hazelcastPorts[i]), "--members", members.toString(), "--data-dir",
                dir.resolve("data-" + i).toString(), "--db-url", db.url(), "--db-user", db.user(), "--db-schema",
                db.schema(), "--admin-token", ADMIN_TOKEN, "--project-rate", "1000000", "--project-burst", "1000000");
        nodes[i].awaitReady();
        downOnPurpose[i] = false;
    }

    /** {@code kill -9} of member {@code i}. */
    void kill(int i) throws InterruptedException {
        downOnPurpose[i] = true;
        nodes[i].kill();
    }

    /** SIGTERM of member {@code i}: a graceful leave; whether it exited within the timeout. */
    boolean stop(int i, Duration timeout) throws InterruptedException {
        downOnPurpose[i] = true;
        return nodes[i].terminate(timeout);
    }

    long pid(int i) {
        return nodes[i].pid();
    }

    boolean up(int i) {
        return nodes[i] != null && !downOnPurpose[i] && nodes[i].status("/health") == 200;
    }

    /** Members that are down though no scenario took them down. */
    List<Integer> diedByThemselves() throws InterruptedException {
        List<Integer> died = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null && !downOnPurpose[i] && nodes[i].exitCode(Duration.ZERO) != -1) {
                died.add(i);
            }
        }
        return died;
    }

    /** The member that has been in the cluster longest (the Jet coordinator), as the members see it. */
    int oldest() throws IOException, InterruptedException {
        JsonNode status = status(any());
        String address = status.path("members").get(0).path("address").asText();
        for (int i = 0; i < nodes.length; i++) {
            if (address.endsWith(":" + hazelcastPorts[i])) {
                return i;
            }
        }
        throw new IllegalStateException("no member at " + address);
    }

    /** A member that is up. */
    int any() {
        for (int i = 0; i < nodes.length; i++) {
            if (up(i)) {
                return i;
            }
        }
        throw new IllegalStateException("no member is up");
    }

    String url(int i) {
        return "http://127.0.0.1:" + httpPorts[i];
    }

    List<String> upUrls() {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            if (!downOnPurpose[i]) {
                urls.add(url(i));
            }
        }
        return urls;
    }

    /** All HTTP addresses, for a load driver that tries the next one when a member does not answer. */
    List<String> urls() {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            urls.add(url(i));
        }
        return urls;
    }

    JsonNode status(int via) throws IOException, InterruptedException {
        return admin(via, "GET", "/admin/status");
    }

    JsonNode admin(int via, String method, String path) throws IOException, InterruptedException {
        return admin(via, method, path, null);
    }

    JsonNode admin(int via, String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url(via) + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return NodeFixture.JSON.readTree(answer.body());
    }

    /** Waits until the cluster is safe with {@code members} members; how long that took. */
    Duration awaitSafe(int members, Duration atMost) {
        long started = System.nanoTime();
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            JsonNode status = status(any());
            return status.path("clusterSafe").asBoolean() && status.path("members").size() == members;
        });
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = nodes.length - 1; i >= 0; i--) {
            if (nodes[i] != null) {
                downOnPurpose[i] = true;
                nodes[i].terminate(Duration.ofSeconds(60));
                nodes[i].close();
            }
        }
    }
}
