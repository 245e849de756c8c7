package com.profilegrid.bench;

import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drives {@code /v1/batch} with realistic Segment batches (analytics.js-shaped track calls), either as
 * fast as a number of connections allow (closed loop) or at a fixed rate (open loop; latency counted
 * from when each request was due, so a stall is not hidden).
 */
final class SegmentLoad {

    /** What one run measured. */
    record Result(double eventsPerSecond, Histogram latencyMicros, Map<Integer, Long> statuses, long notSent,
                  Map<Integer, String> firstRefusals) {
    }

    /** The properties of every event the load sends. */
    static final String PROPERTIES = "{\"product_id\":\"507f1f77bcf86cd799439011\",\"sku\":\"G-32\",\"category\":\"Games\","
            + "\"name\":\"Monopoly: 3rd Edition\",\"brand\":\"Hasbro\",\"variant\":\"200 pieces\",\"price\":18.99,"
            + "\"quantity\":1,\"currency\":\"USD\",\"url\":\"https://www.example.com/product/path\"}";

    private static final String MESSAGE = "{\"type\":\"track\",\"messageId\":\"%s\",\"anonymousId\":\"anon-%d\","
            + "\"userId\":\"user-%d\",\"event\":\"Product Viewed\",\"timestamp\":\"%s\","
            + "\"properties\":" + PROPERTIES + ","
            + "\"context\":{\"ip\":\"8.8.8.8\",\"locale\":\"en-US\",\"library\":{\"name\":\"analytics.js\",\"version\":\"2.11.1\"},"
            + "\"page\":{\"path\":\"/product/path\",\"title\":\"Monopoly\",\"url\":\"https://www.example.com/product/path\"},"
            + "\"userAgent\":\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/120.0 Safari/537.36\"}}";

    private final URI uri;
    private final String authorization;
    private final int batchSize;
    /** How many events in a row each visitor sends (1: the visitors take turns, one event each). */
    private final int visitorRun;
    private final String runId;
    private final AtomicLong requestNumber = new AtomicLong();
    private final HttpClient client;
    private final LongAdder acceptedTotal = new LongAdder();
    /** The first answer body of each status other than 2xx in the current run: why the node refused. */
    private final Map<Integer, String> firstRefusals = new ConcurrentHashMap<>();

    /** Events acknowledged (2xx) over all runs of this load. */
    long accepted() {
        return acceptedTotal.sum();
    }

    SegmentLoad(String baseUrl, String writeKey, int batchSize, String runId, int threads) {
        this(baseUrl, writeKey, batchSize, runId, threads, 1);
    }

    /**
     * A load over 100,000 visitors that take turns, each sending {@code visitorRun} events in a row when its turn
     * comes (1: one event each; more: a visitor's events lie together in the log, as a session's do).
     */
    SegmentLoad(String baseUrl, String writeKey, int batchSize, String runId, int threads, int visitorRun) {
        if (visitorRun < 1) {
            throw new IllegalArgumentException("a visitor sends at least one event in a row, not " + visitorRun);
        }
        this.visitorRun = visitorRun;
        this.uri = URI.create(baseUrl + "/v1/batch");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        this.batchSize = batchSize;
        this.runId = runId;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(threads)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpRequest nextRequest() {
        long n = requestNumber.incrementAndGet();
        StringBuilder body = new StringBuilder(batchSize * 900).append("{\"batch\":[");
        // the send time, as analytics.js stamps its events: a visitor's later events (and links) come later
        String now = Instant.now().toString();
        for (int i = 0; i < batchSize; i++) {
            int visitor = (int) ((n * batchSize + i) / visitorRun % 100_000);
            body.append(i == 0 ? "" : ",").append(String.format(MESSAGE, runId + "-" + n + "-" + i, visitor, visitor, now));
        }
        body.append("]}");
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    /** Closed loop: {@code connections} senders, each sending its next batch when the last is answered. */
    Result asFastAsPossible(int connections, Duration duration) throws InterruptedException {
        Histogram latency = new Histogram(60_000_000L, 3);
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        LongAdder accepted = new LongAdder();
        long end = System.nanoTime() + duration.toNanos();
        Thread[] senders = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            senders[c] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest request = nextRequest();
                    long start = System.nanoTime();
                    int status = send(request);
                    synchronized (latency) {
                        latency.recordValue(Math.min(latency.getHighestTrackableValue(), (System.nanoTime() - start) / 1_000));
                    }
                    statuses.merge(status, 1L, Long::sum);
                    if (status / 100 == 2) {
                        accepted.add(batchSize);
                        acceptedTotal.add(batchSize);
                    }
                }
            });
            senders[c].start();
        }
        for (Thread sender : senders) {
            sender.join();
        }
        return new Result(accepted.sum() / (duration.toNanos() / 1e9), latency, statuses, 0, takeRefusals());
    }

    /** Open loop: a batch every {@code 1/rate} seconds whatever the answers, at most {@code maxOutstanding} open. */
    Result atFixedRate(double eventsPerSecond, Duration duration, int maxOutstanding) throws InterruptedException {
        Histogram latency = new Histogram(60_000_000L, 3);
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        LongAdder accepted = new LongAdder();
        LongAdder notSent = new LongAdder();
        Semaphore outstanding = new Semaphore(maxOutstanding);
        long intervalNanos = (long) (1e9 * batchSize / eventsPerSecond);
        long start = System.nanoTime();
        long requests = duration.toNanos() / intervalNanos;
        for (long i = 0; i < requests; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!outstanding.tryAcquire()) {
                notSent.increment();
                continue;
            }
            client.sendAsync(nextRequest(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                int status = error != null ? -1 : response.statusCode();
                noteRefusal(status, error != null ? error.toString() : response.body());
                synchronized (latency) {
                    latency.recordValue(Math.min(latency.getHighestTrackableValue(), (System.nanoTime() - due) / 1_000));
                }
                statuses.merge(status, 1L, Long::sum);
                if (status / 100 == 2) {
                    accepted.add(batchSize);
                    acceptedTotal.add(batchSize);
                }
                outstanding.release();
            });
        }
        outstanding.acquire(maxOutstanding);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(accepted.sum() / seconds, latency, statuses, notSent.sum(), takeRefusals());
    }

    private void noteRefusal(int status, String body) {
        if (status / 100 != 2) {
            firstRefusals.putIfAbsent(status, body);
        }
    }

    private Map<Integer, String> takeRefusals() {
        Map<Integer, String> taken = Map.copyOf(firstRefusals);
        firstRefusals.clear();
        return taken;
    }

    private int send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            noteRefusal(response.statusCode(), response.body());
            return response.statusCode();
        } catch (java.io.IOException e) {
            noteRefusal(-1, e.toString());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
