package com.profilegrid.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The read latencies of the profiles benchmark: a profile read through the SDK with its near cache warm, and through a
 * plain Hazelcast client without one. Run in the benchmark's JVM (beside the node) or, as users run the SDK, in a
 * client JVM of its own ({@link #inOwnJvm}; its {@code main}).
 */
final class ReadProbe {

    private ReadProbe() {
    }

    /** Prints the read latencies of profile {@code profileId} of {@code project}, each line starting with {@code label}. */
    static void measure(String clusterName, String member, String baseUrl, String writeKey, String project,
                        String profileId, String label) {
        ClientSettings settings = new ClientSettings(clusterName, List.of(member), URI.create(baseUrl), writeKey,
                Duration.ofSeconds(10));
        try (ProfileGridClient client = ProfileGridClient.connect(settings)) {
            client.profile(project, profileId).orElseThrow(() -> new IllegalStateException(
                    "the probed profile " + profileId + " is not there"));
            for (int i = 0; i < 200_000; i++) {
                client.profile(project, profileId); // unmeasured: compiled first
            }
            print(String.format("%-9s SDK read, near cache warm", label),
                    time(() -> client.profile(project, profileId), 200_000));
        }
        ClientConfig plain = new ClientConfig().setClusterName(clusterName).setProperty("hazelcast.logging.type", "slf4j");
        plain.getNetworkConfig().addAddress(member);
        HazelcastInstance direct = HazelcastClient.newHazelcastClient(plain);
        try {
            // the map readers use now (after a rebuild, the new generation's: a read of the old one's would be a miss
            // that asks the database every time)
            IMap<ProfileKey, Profile> remote = direct.getMap(Generation.active(direct, project).profilesMap());
            ProfileKey key = new ProfileKey(project, profileId);
            if (remote.get(key) == null) {
                throw new IllegalStateException("the probed profile " + key + " is not in " + remote.getName());
            }
            long warm = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < warm) {
                remote.get(key); // unmeasured: the client's and the member's read paths compiled first
            }
            print(String.format("%-9s SDK-style read without near cache", label), time(() -> remote.get(key), 20_000));
            // what any remote read costs on this machine, printed beside it as its floor: the same client reading a
            // one-byte value from the same member (Hazelcast's request path with nothing of ProfileGrid in it), and one
            // byte sent to a thread and back over loopback TCP (the least a read through the network can take)
            IMap<String, byte[]> scratch = direct.getMap("bench-read-floor-" + UUID.randomUUID());
            try {
                scratch.put("k", new byte[1]);
                long warmPlain = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < warmPlain) {
                    scratch.get("k");
                }
                print(String.format("%-9s   beside it, a plain get of a one-byte value (same client and member)", label),
                        time(() -> scratch.get("k"), 20_000));
            } finally {
                scratch.destroy();
            }
            print(String.format("%-9s   and one byte to a thread and back over loopback TCP", label),
                    loopbackRoundTrips(20_000));
        } finally {
            direct.shutdown();
        }
    }

    /** The latencies of {@code reads} calls of {@code read}, in microseconds (at least 1). */
    private static Histogram time(Runnable read, int reads) {
        Histogram latency = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < reads; i++) {
            long t0 = System.nanoTime();
            read.run();
            latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1_000));
        }
        return latency;
    }

    /**
     * {@code count} round trips of one byte between this thread and an echoing one over a loopback TCP connection
     * (no delay), in microseconds, after as many unmeasured ones: two thread wake-ups and the kernel's network path,
     * which every read from another process pays at least.
     */
    static Histogram loopbackRoundTrips(int count) {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    socket.setTcpNoDelay(true);
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    for (int b = in.read(); b >= 0; b = in.read()) {
                        out.write(b);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the measuring side closed the connection: done
                }
            }, "loopback-echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                socket.setTcpNoDelay(true);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                Runnable roundTrip = () -> {
                    try {
                        out.write(1);
                        out.flush();
                        if (in.read() < 0) {
                            throw new IOException("the echoing thread closed the connection");
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                };
                time(roundTrip, count);
                return time(roundTrip, count);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void print(String what, Histogram latency) {
        System.out.printf("%s: p50 %.1f us  p99 %.1f us%n", what, latency.getValueAtPercentile(50) / 1.0,
                latency.getValueAtPercentile(99) / 1.0);
    }

    /**
     * {@link #measure} in a JVM of its own, as a service calling the SDK runs it: this JVM's java and class path, a
     * 256 MB heap; its lines are printed here.
     */
    static void inOwnJvm(String clusterName, String member, String baseUrl, String writeKey, String project,
                         String profileId, String label) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dhazelcast.logging.type=slf4j", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ReadProbe.class.getName(),
                clusterName, member, baseUrl, writeKey, project, profileId, label));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the read probe's JVM failed: " + output);
        }
        output.lines().filter(line -> line.startsWith(label)).forEach(System.out::println);
    }

    public static void main(String[] args) {
        measure(args[0], args[1], args[2], args[3], args[4], args[5], args[6]);
        System.exit(0);
    }
}
