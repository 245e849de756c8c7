package com.profilegrid.node.triggers;

import com.profilegrid.pipelines.rules.Trigger;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.core.IntervalFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Delivers firings to their webhooks, outside the profile pipeline: a loop on each node attempts the firings recorded
 * on the node, which took this delivery's lease as they were written ({@link #lease}: no claim reads them back), and
 * claims the other due pending firings ({@link Firings#claim}, a lease too: firings recorded while their destination
 * had no room here, due again, or left by a node that stopped or died), so one node attempts each at a time. It POSTs
 * each signed ({@link Signature}) with
 * {@code Idempotency-Key: <firing id>}, and writes the outcome. Any 2xx is delivered. A timeout, a connection failure,
 * 408, 429 and 5xx are tried again after an exponential backoff with jitter (Resilience4j's {@link IntervalFunction}),
 * or after the receiver's {@code Retry-After} when it gives one, until the retry budget (counted from the firing) is
 * spent: then the firing is dead with its last error. Any other answer (4xx, 3xx: redirects are not followed) is dead
 * at once. Each destination ({@code scheme://host:port}) has its own limit of attempts in flight (a {@link Bulkhead})
 * and of claimed firings waiting for one: while a destination has that many waiting, its firings are left unclaimed
 * in the table, so a slow receiver holds up only its own firings. Outcomes are written back many at a time by one
 * writer thread ({@link Firings#write}), not one transaction per attempt.
 */
public final class WebhookDelivery implements AutoCloseable, FiringRecorder.Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);

    private static final int CLAIM = 128;
    /** Claimed firings a destination may have waiting on this node: at this many, its firings are not claimed. */
    private static final int WAITING = 256;
    /** Outcomes written in one transaction at most. */
    private static final int OUTCOMES = 512;
    private static final int MAX_ERROR_BODY = 300;
    /**
     * After a claim that left busy destinations out and found too few others to fill itself, the next claim with the
     * same destinations busy waits this long (or until one of them has room): such a claim reads past every pending
     * firing of the busy destinations in the database, and new firings would otherwise start one per recorded batch.
     * Firings in the table for other receivers wait at most this much longer while some receiver is backlogged; those
     * handed over as recorded ({@link #lease}) are attempted meanwhile.
     */
    private static final long BUSY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Firings firings;
    private final BiConsumer<String, String> published;
    private final Function<String, Map<String, Trigger>> triggers;
    private final Clock clock;
    private final TriggerSettings settings;
    private final IntervalFunction backoff;
    private final Map<String, Bulkhead> destinations = new ConcurrentHashMap<>();
    /**
     * Claimed firings waiting for their destination's next free attempt: sent as attempts to it end, well within the
     * lease. A destination with {@link #WAITING} of them is busy: the next claims leave its firings in the table.
     */
    private final Map<String, java.util.Queue<Ready>> waiting = new ConcurrentHashMap<>();
    private final Semaphore wakeUps = new Semaphore(0);
    /** Whether firings were recorded pending that no lease of this delivery took: the loop claims at once. */
    private volatile boolean claimWanted;
    /**
     * The owner the leases firings take as they are recorded carry ({@link #lease}): the id of this node's member, so
     * that the members that stay give them back when it leaves ({@link #memberLeft}); {@code null} until the member
     * has started (no lease is taken before).
     */
    private volatile String owner;
    /** Members that left, whose leases the loop gives back before its next claim. */
    private final java.util.Queue<String> departed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Firings recorded on this node with this delivery's lease: the loop attempts them as it would claimed ones. */
    private final java.util.Queue<Firings.Claimed> leased = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Released when a busy destination has room again: ends a {@link #BUSY_PAUSE_NANOS} wait. */
    private final Semaphore room = new Semaphore(0);
    /** Whether the writer goes on (until {@link #close} has collected every outcome, after {@link #running} ends). */
    private volatile boolean writing = true;
    /** Outcomes of attempts, to write back ({@link #writeOutcomes}). */
    private final java.util.concurrent.BlockingQueue<Firings.Outcome> outcomes =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread writer;
    private final ExecutorService attempts = Executors.newFixedThreadPool(4, daemon("profilegrid-webhook-attempt"));
    private final HttpClient http;
    private final Thread loop;
    private volatile boolean running = true;
    private final io.micrometer.core.instrument.MeterRegistry metrics;
    /** Firings taken to attempt, handed over as recorded and claimed from the table. */
    private final io.micrometer.core.instrument.Counter takenByLease;
    private final io.micrometer.core.instrument.Counter takenByClaim;

    /**
     * @param triggers  a project's triggers by name, as the member knows them now
     * @param published told of each firing at its first attempt (project, webhook body): the SDK's listeners
     */
    public WebhookDelivery(Firings firings, Function<String, Map<String, Trigger>> triggers, Clock clock,
                           TriggerSettings settings, BiConsumer<String, String> published,
                           io.micrometer.core.instrument.MeterRegistry metrics) {
        this.metrics = metrics;
        this.takenByLease = taken(metrics, "lease");
        this.takenByClaim = taken(metrics, "claim");
        this.firings = firings;
        this.published = published;
        this.triggers = triggers;
        this.clock = clock;
        this.settings = settings;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(settings.firstBackoff(), 2.0, 0.5,
                settings.longestBackoff());
        this.http = httpClient(settings.perDestination());
        this.loop = daemon("profilegrid-webhooks").newThread(this::run);
        this.writer = daemon("profilegrid-webhook-outcomes").newThread(this::writeOutcomes);
        loop.start();
        writer.start();
    }

    private static io.micrometer.core.instrument.Counter taken(io.micrometer.core.instrument.MeterRegistry metrics,
                                                               String by) {
        return io.micrometer.core.instrument.Counter.builder("profilegrid.firings.taken")
                .description("Firings this node's delivery took to attempt: handed over as recorded here (lease) "
                        + "or claimed from the table (claim)")
                .tag("by", by).register(metrics);
    }

    /** Claims at once (new firings are pending) rather than at the next poll. */
    @Override
    public void wake() {
        claimWanted = true;
        wakeUps.release();
    }

    /**
     * The lease firings recorded on this node take, so that this delivery attempts them straight from memory: no claim
     * query reads them back. As many of a destination's as it has room for waiting here; {@code null} once stopping.
     */
    @Override
    public Firings.Lease lease() {
        String leaseOwner = owner;
        return running && leaseOwner != null ? new Firings.Lease(leaseOwner, settings.lease(), this::room) : null;
    }

    /** Leases firings as they are recorded for {@code member} (this node's member, once started). */
    public void ownedBy(java.util.UUID member) {
        owner = member.toString();
    }

    /**
     * Leases firings for {@code member}'s own (this node's, started) and follows its cluster: each member that leaves
     * has its leased firings given back ({@link #memberLeft}). Closing stops following.
     */
    public AutoCloseable follow(com.hazelcast.core.HazelcastInstance member) {
        ownedBy(member.getCluster().getLocalMember().getUuid());
        java.util.UUID registration = member.getCluster().addMembershipListener(
                new com.hazelcast.cluster.MembershipListener() {
                    @Override
                    public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
                    }

                    @Override
                    public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
                        memberLeft(event.getMember().getUuid());
                    }
                });
        return () -> {
            if (member.getLifecycleService().isRunning()) {
                member.getCluster().removeMembershipListener(registration);
            }
        };
    }

    /**
     * A member left the cluster: the firings recorded there and leased to its delivery are given back and claimed
     * at once, by this node or another that stays, instead of waiting for their leases to end (every member that
     * stays does it; the second finds none).
     */
    public void memberLeft(java.util.UUID member) {
        departed.add(member.toString());
        wake();
    }

    @Override
    public void leased(List<Firings.Claimed> firings) {
        leased.addAll(firings);
        wakeUps.release();
        if (!running) { // stopped after the lease was taken: give them back (if the writer still runs; else the lease ends)
            releaseLeased(clock.instant());
        }
    }

    /** Gives back, unattempted, the firings handed over as recorded that the loop has not taken yet. */
    private void releaseLeased(Instant now) {
        for (Firings.Claimed firing; (firing = leased.poll()) != null; ) {
            outcomes.add(new Firings.Released(firing.firingId(), now));
        }
    }

    /** How many more firings for {@code destination} may wait on this node for an attempt. */
    private int room(String destination) {
        java.util.Queue<Ready> queue = waiting.get(destination);
        return WAITING - (queue == null ? 0 : queue.size());
    }

    private void run() {
        java.util.Set<String> pausedFor = java.util.Set.of();
        long pausedUntil = 0;
        long poll = settings.poll().toNanos();
        long claimedAt = System.nanoTime() - poll;
        while (running) {
            try {
                // until the next poll's claim; when a claim is wanted, at once, or when the pause it waits on ends
                long now = System.nanoTime();
                wakeUps.tryAcquire(Math.max(0, claimWanted ? pausedUntil - now : claimedAt + poll - now),
                        TimeUnit.NANOSECONDS);
                wakeUps.drainPermits();
                for (Firings.Claimed firing; running && (firing = leased.poll()) != null; ) {
                    takenByLease.increment();
                    attempt(firing);
                }
                // a claim when firings wait in the table (recorded without this lease), and at every poll for those
                // due again, given back, or left by a node that died
                if (!claimWanted && System.nanoTime() - claimedAt < poll) {
                    continue;
                }
                for (String left; (left = departed.poll()) != null; ) {
                    int released = firings.releaseLeases(left, clock.instant());
                    if (released > 0) {
                        LOG.info("Gave back {} firing(s) that member {} had leased when it left: claimed now", released,
                                left);
                    }
                }
                java.util.Set<String> busy = busy();
                if (!busy.isEmpty() && busy.equals(pausedFor) && System.nanoTime() < pausedUntil && !room.tryAcquire()) {
                    claimWanted = true; // after the pause, or once one of them has room; leased firings go on meanwhile
                    continue;
                }
                room.drainPermits();
                claimWanted = false;
                claimedAt = System.nanoTime();
                pausedFor = java.util.Set.of();
                List<Firings.Claimed> claimed;
                do {
                    claimed = firings.claim(clock.instant(), settings.lease(), CLAIM, busy);
                    takenByClaim.increment(claimed.size());
                    claimed.forEach(this::attempt);
                    if (claimed.size() < CLAIM && !busy.isEmpty()) {
                        pausedFor = busy;
                        pausedUntil = System.nanoTime() + BUSY_PAUSE_NANOS;
                    }
                    busy = busy();
                } while (running && claimed.size() == CLAIM);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("Webhook delivery could not claim firings (trying again in {} ms): {}",
                            settings.poll().toMillis(), e.getMessage());
                }
            }
        }
    }

    /** The destinations with {@link #WAITING} claimed firings waiting: not claimed for until they have fewer. */
    private java.util.Set<String> busy() {
        java.util.Set<String> busy = new java.util.HashSet<>();
        waiting.forEach((name, queue) -> {
            if (queue.size() >= WAITING) {
                busy.add(name);
            }
        });
        return busy;
    }

    /** Where webhooks to {@code url} go: {@code scheme://host:port}, the port given or the scheme's. */
    public static String destination(URI url) {
        int port = url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return url.getScheme().toLowerCase(java.util.Locale.ROOT) + "://"
                + url.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    private void attempt(Firings.Claimed firing) {
        Trigger trigger = triggers.apply(firing.project()).get(firing.trigger());
        if (trigger == null) {
            outcomes.add(new Firings.Dead(firing.firingId(), firing.attempts(), "trigger \"" + firing.trigger()
                    + "\" no longer exists: deleted before delivery (create it again, then retry the firing)",
                    clock.instant()));
            return;
        }
        String name = destination(trigger.webhook().url());
        Bulkhead destination = destinations.computeIfAbsent(name,
                key -> Bulkhead.of(key, BulkheadConfig.custom().maxConcurrentCalls(settings.perDestination())
                        .maxWaitDuration(Duration.ZERO).build()));
        if (destination.tryAcquirePermission()) {
            send(new Ready(firing, trigger), name, destination);
            return;
        }
        // a linked blocking queue counts its size as it goes: busy() and sendWaiting() read it at every claim and answer
        waiting.computeIfAbsent(name, key -> new java.util.concurrent.LinkedBlockingQueue<>())
                .add(new Ready(firing, trigger));
        sendWaiting(name, destination); // an attempt may have ended meanwhile
    }

    /** A claimed firing and its trigger, to send once its destination has an attempt free. */
    private record Ready(Firings.Claimed firing, Trigger trigger) {
    }

    /** One attempt of {@code ready}, holding one of {@code destination}'s permits, which it gives back when done. */
    private void send(Ready ready, String name, Bulkhead destination) {
        Firings.Claimed firing = ready.firing();
        Trigger trigger = ready.trigger();
        int attempt = firing.attempts() + 1;
        URI url = trigger.webhook().url();
        if (firing.attempts() == 0 && !publish(firing)) {
            // this member is stopping: the firing goes back, and a member that stays makes its first attempt
            destination.releasePermission();
            outcomes.add(new Firings.Released(firing.firingId(), clock.instant()));
            return;
        }
        long started = System.nanoTime();
        try {
            long sentAt = clock.instant().getEpochSecond();
            http.POST(url).timeout(trigger.webhook().timeoutMs(), TimeUnit.MILLISECONDS)
                    .headers(headers -> headers.put("Idempotency-Key", firing.firingId())
                            .put("ProfileGrid-Signature", Signature.header(trigger.webhook().secret(), sentAt,
                                    firing.body())))
                    .body(new StringRequestContent("application/json", firing.body(), StandardCharsets.UTF_8))
                    .send(new Answered(answer -> attempts.execute(() -> {
                        destination.onComplete();
                        attempted(answer, started);
                        outcomes.add(outcome(firing, attempt, url, answer));
                        sendWaiting(name, destination);
                    })));
        } catch (RuntimeException e) { // the request could not be made or handed over: an attempt that failed
            destination.onComplete();
            Answer failed = new Answer(0, "", null, e);
            attempted(failed, started);
            outcomes.add(outcome(firing, attempt, url, failed));
        }
    }

    /** A receiver's answer to an attempt: its status, the start of its body and its {@code Retry-After}; or why none. */
    private record Answer(int status, String body, String retryAfter, Throwable failure) {
    }

    /**
     * Listens to an attempt's response, keeping at most {@link #MAX_ERROR_BODY} bytes of its body (for the error an
     * HTTP failure records; a larger body is read and dropped, whatever the status), and hands over the answer.
     */
    private static final class Answered implements Response.Listener {
        private final java.util.function.Consumer<Answer> done;
        private final ByteArrayOutputStream start = new ByteArrayOutputStream();

        Answered(java.util.function.Consumer<Answer> done) {
            this.done = done;
        }

        @Override
        public void onContent(Response response, ByteBuffer content) {
            int take = Math.min(content.remaining(), MAX_ERROR_BODY + 1 - start.size());
            if (take > 0) {
                byte[] bytes = new byte[take];
                content.get(bytes);
                start.write(bytes, 0, take);
            }
        }

        @Override
        public void onComplete(Result result) {
            Response response = result.getResponse();
            done.accept(result.isFailed() ? new Answer(0, "", null, result.getFailure())
                    : new Answer(response.getStatus(), start.toString(StandardCharsets.UTF_8),
                    response.getHeaders().get(HttpHeader.RETRY_AFTER), null));
        }
    }

    /**
     * The HTTP client of webhooks: Jetty's (the server's library), which took a third of the CPU per webhook of the
     * JDK's {@code java.net.http} client in a like-for-like run; redirects not followed, connections kept per
     * destination up to its limit of attempts in flight.
     */
    private static HttpClient httpClient(int perDestination) {
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("profilegrid-webhook-http");
        threads.setDaemon(true);
        HttpClient client = new HttpClient();
        client.setExecutor(threads);
        client.setFollowRedirects(false);
        client.setConnectTimeout(5_000);
        client.setIdleTimeout(30_000);
        client.setMaxConnectionsPerDestination(perDestination);
        client.setUserAgentField(new org.eclipse.jetty.http.HttpField(HttpHeader.USER_AGENT, "ProfileGrid-Webhooks/1"));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the webhook HTTP client", e);
        }
        return client;
    }

    /** Counts an attempt and its time from sending to the answer, by outcome: delivered, refused (an HTTP error), failed. */
    private void attempted(Answer answer, long startedNanos) {
        String outcome = answer.failure() != null ? "failed" : answer.status() / 100 == 2 ? "delivered" : "refused";
        io.micrometer.core.instrument.Timer.builder("profilegrid.webhook.latency")
                .description("Webhook attempts, from sending to the receiver's answer, by outcome")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(metrics).record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    /** Sends the firings waiting for {@code destination} while it has attempts free. */
    private void sendWaiting(String name, Bulkhead destination) {
        java.util.Queue<Ready> queue = waiting.get(name);
        while (running && queue != null && !queue.isEmpty() && destination.tryAcquirePermission()) {
            Ready next = queue.poll();
            if (next == null) {
                destination.releasePermission();
                break;
            }
            send(next, name, destination);
        }
        if (queue != null && queue.size() == WAITING / 2) {
            wakeUps.release(); // no longer busy: room to claim more for it
            room.release();
        }
    }

    /** What the attempt came to: delivered, to try again (when), or dead (why). */
    private Firings.Outcome outcome(Firings.Claimed firing, int attempt, URI url, Answer answer) {
        Instant now = clock.instant();
        Throwable failure = answer.failure();
        if (failure == null && answer.status() / 100 == 2) {
            return new Firings.Delivered(firing.firingId(), attempt, now);
        }
        String error;
        Optional<Duration> retryAfter = Optional.empty();
        if (failure != null) {
            boolean timedOut = failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException;
            error = timedOut ? "no answer from " + url + " within its timeout" : "cannot reach " + url + ": " + failure;
        } else {
            int status = answer.status();
            error = "HTTP " + status + " from " + url + snippet(answer.body());
            boolean again = status == 408 || status == 429 || status >= 500;
            if (!again) {
                return new Firings.Dead(firing.firingId(), attempt, error + (status / 100 == 3
                        ? " (redirects are not followed)" : " (not retried: only timeouts, 408, 429 and 5xx are)"), now);
            }
            retryAfter = Optional.ofNullable(answer.retryAfter()).flatMap(value -> retryAfter(value, now));
        }
        Duration wait = retryAfter.orElseGet(() -> Duration.ofMillis(backoff.apply(attempt)));
        Instant next = now.plus(wait);
        Instant giveUp = Instant.ofEpochMilli(firing.firedMs()).plus(settings.retryBudget());
        if (next.isAfter(giveUp)) {
            return new Firings.Dead(firing.firingId(), attempt, "gave up after " + attempt + " attempt(s), the retry "
                    + "budget of " + settings.retryBudget() + " spent; last error: " + error, now);
        }
        return new Firings.Retry(firing.firingId(), attempt, next, error);
    }

    /**
     * Hands the firing to the SDK's listeners. At its first attempt, which a node that dies before recording it makes
     * again: at least once. A failure to publish does not hold up the webhook; false when this member is stopping
     * (the attempt is better made by a member that stays).
     */
    private boolean publish(Firings.Claimed firing) {
        try {
            published.accept(firing.project(), firing.body());
        } catch (com.hazelcast.core.HazelcastInstanceNotActiveException e) {
            LOG.debug("Firing {} not handed to the SDK listeners: the member is stopping", firing.firingId());
            return false;
        } catch (RuntimeException e) {
            LOG.warn("Could not hand firing {} to the SDK listeners: {}", firing.firingId(), e.getMessage());
        }
        return true;
    }

    /** A {@code Retry-After} header: seconds, or an HTTP date. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (RuntimeException notDate) {
                return Optional.empty();
            }
        }
    }

    private static String snippet(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body.strip();
        return ": " + (text.length() > MAX_ERROR_BODY ? text.substring(0, MAX_ERROR_BODY) + "..." : text);
    }

    /**
     * The writer thread: writes the outcomes as they come, up to {@link #OUTCOMES} in one transaction, until the
     * delivery is closed and none is left. An outcome that cannot be written is lost with a warning: its firing's
     * lease runs out and it is attempted again (at least once).
     */
    private void writeOutcomes() {
        List<Firings.Outcome> batch = new java.util.ArrayList<>();
        while (writing || !outcomes.isEmpty()) {
            try {
                Firings.Outcome first = outcomes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                outcomes.drainTo(batch, OUTCOMES - 1);
                firings.write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("Could not write the outcome of {} firing(s) (their leases run out, then they are attempted "
                        + "again): {}", batch.size(), e.getMessage());
            } finally {
                batch.clear();
            }
        }
    }

    @Override
    public void close() {
        // no new claims or attempts; then the attempts in flight end (aborted: attempts that failed, tried again after
        // their backoff), their answers are recorded, the claimed firings still waiting are given back, and every
        // outcome is written: nothing this node claimed waits for its lease to run out before another node takes it
        running = false;
        loop.interrupt();
        long stopWait = com.profilegrid.node.support.Daemons.STOP_WAIT.toMillis();
        try {
            loop.join(stopWait); // its claim query ends first
            try {
                http.stop();
            } catch (Exception e) {
                LOG.debug("The webhook HTTP client did not stop cleanly", e);
            }
            attempts.shutdown();
            if (!attempts.awaitTermination(stopWait, TimeUnit.MILLISECONDS)) {
                attempts.shutdownNow();
            }
            Instant now = clock.instant();
            releaseLeased(now);
            waiting.values().forEach(queue -> {
                for (Ready ready; (ready = queue.poll()) != null; ) {
                    outcomes.add(new Firings.Released(ready.firing().firingId(), now));
                }
            });
            writing = false;
            writer.join(stopWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            attempts.shutdownNow();
            writing = false;
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
