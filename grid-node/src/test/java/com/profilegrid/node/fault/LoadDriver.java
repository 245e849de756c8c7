package com.profilegrid.node.fault;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Posts Segment batches to the members in turn at a given rate (events per second; 0: as fast as answers come), as a
 * client library would: a request a member does not answer (refused connection, no answer within
 * {@link #ANSWER_WITHIN}) is sent again, with the same message ids, to the next member. Remembers every message id
 * acknowledged (2xx), every answer by status, and the longest time to an answer.
 */
final class LoadDriver implements AutoCloseable {

    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    static final int BATCH = 50;
    /** One event in this many is a Purchase, which fires the suite's event trigger. */
    static final int PURCHASE_EVERY = 10;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<String> urls;
    private final String writeKey;
    private final int visitors;
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Set<String> purchasesAcked = ConcurrentHashMap.newKeySet();
    final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
    final AtomicInteger unanswered = new AtomicInteger();
    final AtomicLong longestAnswerMillis = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread[] threads;
    private final String run;

    LoadDriver(List<String> urls, String writeKey, int visitors, double eventsPerSecond, int threads, String run) {
        this.urls = urls;
        this.writeKey = writeKey;
        this.visitors = visitors;
        this.run = run;
        this.threads = new Thread[threads];
        long nanosPerBatch = eventsPerSecond <= 0 ? 0 : (long) (1e9 * BATCH * threads / eventsPerSecond);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            this.threads[t] = new Thread(() -> loop(thread, nanosPerBatch), "fault-load-" + t);
            this.threads[t].start();
        }
    }

    private void loop(int thread, long nanosPerBatch) {
        long next = System.nanoTime();
        int target = thread;
        while (running.get()) {
            long n = batches.incrementAndGet();
            String prefix = run + "-" + n + "-";
            String body = body(prefix, n);
            boolean answered = false;
            for (int attempt = 0; attempt < urls.size() * 3 && running.get() && !answered; attempt++) {
                answered = send(urls.get(target++ % urls.size()), body, prefix, n);
            }
            if (nanosPerBatch > 0) {
                next += nanosPerBatch;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -1_000_000_000L) {
                    next = System.nanoTime(); // behind by more than a second: do not burst to catch up
                }
            }
        }
    }

    private String body(String prefix, long n) {
        StringBuilder body = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < BATCH; i++) {
            long visitor = Math.floorMod((n * 31 + i * 7), visitors);
            boolean purchase = (n * BATCH + i) % PURCHASE_EVERY == 0;
            body.append(i == 0 ? "" : ",").append("{\"type\": \"track\", \"userId\": \"v").append(visitor)
                    .append("\", \"event\": \"").append(purchase ? "Purchase" : "Viewed").append("\", \"messageId\": \"")
                    .append(prefix).append(i).append("\", \"properties\": {\"n\": ").append(i).append("}}");
        }
        return body.append("]}").toString();
    }

    /** Whether the member answered (any status); records a 2xx's message ids as acknowledged. */
    private boolean send(String url, String body, String prefix, long n) {
        long started = System.nanoTime();
        try {
            sent.addAndGet(BATCH);
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/batch"))
                    .timeout(ANSWER_WITHIN)
                    .header("Authorization", "Basic " + Base64.getEncoder()
                            .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            long millis = (System.nanoTime() - started) / 1_000_000;
            longestAnswerMillis.accumulateAndGet(millis, Math::max);
            answers.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            if (answer.statusCode() / 100 == 2) {
                for (int i = 0; i < BATCH; i++) {
                    acked.add(prefix + i);
                    if ((n * BATCH + i) % PURCHASE_EVERY == 0) {
                        purchasesAcked.add(prefix + i);
                    }
                }
            }
            return true;
        } catch (HttpTimeoutException e) {
            unanswered.incrementAndGet();
            return false;
        } catch (IOException e) {
            return false; // refused or reset: that member is down; the next one is asked
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Acknowledged events per second over {@code seconds}. */
    double ackedPerSecond(Duration over) throws InterruptedException {
        int before = acked.size();
        Thread.sleep(over.toMillis());
        return (acked.size() - before) / (over.toMillis() / 1000.0);
    }

    Map<String, Integer> answersByStatus() {
        Map<String, Integer> byStatus = new TreeMap<>();
        answers.forEach((status, count) -> byStatus.put(Integer.toString(status), count.get()));
        return byStatus;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(30_000);
        }
    }
}
