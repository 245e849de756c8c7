package com.profilegrid.pipelines.state;

import com.hazelcast.core.HazelcastInstance;
import com.profilegrid.pipelines.identity.IdentityGraph;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.identity.ProjectLink;
import com.profilegrid.pipelines.profile.DurableProgress;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.TrackingLogSource;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The identity step of one processor: the identity graphs of the projects whose events it receives (the stage is keyed
 * by project), holding only the clusters of ids in use, within a bound, and nothing in Jet's snapshot.
 *
 * <p>Every link a graph follows is recorded in the member's {@link DurableProgress} at the end of its batch, before the
 * batch's decisions go on; so the recorded links are the truth, and a graph may forget any cluster (least recently used
 * first, beyond {@link #maxIds} ids) and read it back when an event touches one of its ids. A batch first reads back
 * the clusters of its ids the graphs do not hold (following the recorded links until no new id turns up), then decides
 * its events in order, records the links they followed, and forgets what exceeds the bound.
 *
 * <p>A run of the job (started, or restored from a snapshot) starts with empty graphs and a new epoch for its decisions'
 * revisions (the clock shifted left, and above every epoch handed out before: {@link DurableProgress#nextEpoch}). Its graphs read back every link an earlier run followed, so
 * replaying events after the snapshot passes through no earlier state of a graph; but the earlier run may have stopped
 * after recording a link and before its decisions reached the raw ids. So each cluster a replayed event (one the log
 * held when the run began, {@link LogRecord#replayed}) touches is announced once in the run: every id told its
 * profile.
 */
final class IdentitySteps extends StatePipeline.Batches<LogRecord, StatePipeline.Decided> {

    /** Overrides the bound on ids held per processor (for tests that make the graphs forget and read back). */
    static final String MAX_IDS_PROPERTY = "profilegrid.identity.max-ids";
    /** Bytes an id costs in a graph, about (its string, its cluster, its link, the union-find maps). */
    private static final long BYTES_PER_ID = 400;
    /**
     * The graph's database calls (the run's epoch, recorded links, links read back): tried again every second, ten
     * times in all, through a restart of the database or a failover; then the batch fails and the job restarts.
     */
    private static final Retry DATABASE = Retry.of("identity-database", RetryConfig.custom()
            .maxAttempts(10).waitDuration(Duration.ofSeconds(1)).retryExceptions(RuntimeException.class).build());

    private final DurableProgress progress;
    private final Map<String, IdentityGraph> graphs = new HashMap<>();
    /** Room for this many decisions per run: the next run's epoch is at least this far above. */
    private static final long EPOCH_SPAN = 1L << 40;
    private final long epoch;
    private final long started = System.currentTimeMillis();
    private final int maxIds;

    IdentitySteps(HazelcastInstance member) {
        super(member, Run.NONE);
        this.progress = DurableProgress.of(member);
        this.maxIds = maxIds();
        this.epoch = retrying(() -> progress.nextEpoch(started << 20, EPOCH_SPAN));
    }

    /**
     * The bound on ids the graphs of one processor hold: 5% of the heap over the member's processors of this stage, at
     * {@link #BYTES_PER_ID} each, at least 1,000 ({@value #MAX_IDS_PROPERTY} overrides it).
     */
    static int maxIds() {
        String given = System.getProperty(MAX_IDS_PROPERTY);
        if (given != null) {
            return Integer.parseInt(given);
        }
        long bytes = Runtime.getRuntime().maxMemory() / 20 / TrackingLogSource.PROCESSORS_PER_MEMBER;
        return (int) Math.max(1_000, Math.min(Integer.MAX_VALUE, bytes / BYTES_PER_ID));
    }

    @Override
    CompletableFuture<List<StatePipeline.Decided>> run(List<LogRecord> items) {
        return CompletableFuture.supplyAsync(() -> step(items), reader);
    }

    private List<StatePipeline.Decided> step(List<LogRecord> items) {
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (LogRecord item : items) {
            IdentityGraph graph = graph(item.event().project());
            for (Link link : Ids.links(item.event())) {
                for (String id : List.of(link.a(), link.b())) {
                    if (!graph.holds(id)) {
                        missing.computeIfAbsent(item.event().project(), project -> new HashSet<>()).add(id);
                    }
                }
            }
        }
        missing.forEach(this::readBack);
        List<StatePipeline.Decided> out = new ArrayList<>(items.size());
        List<ProjectLink> followed = new ArrayList<>();
        for (LogRecord item : items) {
            String project = item.event().project();
            StatePipeline.Decided decided = StatePipeline.decide(graph(project), epoch, project, item, item.replayed());
            if (decided != null) {
                followed.addAll(decided.links());
            }
            out.add(decided);
        }
        if (!followed.isEmpty()) {
            retrying(() -> {
                progress.saveLinks(followed);
                return null;
            });
        }
        forgetBeyondBound();
        return out;
    }

    /**
     * Reads back the whole clusters of {@code ids} from the recorded links; a cluster the graph holds that they reach
     * is read back with them (all its links are recorded: each batch records its links before the next batch runs).
     */
    private void readBack(String project, Set<String> ids) {
        IdentityGraph graph = graph(project);
        Set<String> seen = new HashSet<>(ids);
        Collection<String> frontier = ids;
        Map<List<String>, Link> found = new HashMap<>();
        while (!frontier.isEmpty()) {
            Collection<String> asked = frontier;
            List<ProjectLink> links = retrying(() -> progress.linksTouching(project, asked));
            List<String> next = new ArrayList<>();
            for (ProjectLink link : links) {
                if (found.putIfAbsent(List.of(link.link().a(), link.link().b()), link.link()) == null) {
                    for (String id : List.of(link.link().a(), link.link().b())) {
                        if (seen.add(id)) {
                            next.add(id);
                        }
                    }
                }
            }
            frontier = next;
        }
        if (found.isEmpty()) {
            return;
        }
        seen.stream().filter(graph::holds).toList().forEach(graph::forget);
        graph.load(found.values());
    }

    /** Forgets the least recently used clusters of the largest graphs until all hold at most {@link #maxIds} ids. */
    private void forgetBeyondBound() {
        int held = 0;
        for (IdentityGraph graph : graphs.values()) {
            held += graph.size();
        }
        while (held > maxIds) {
            IdentityGraph largest = null;
            for (IdentityGraph graph : graphs.values()) {
                if (largest == null || graph.size() > largest.size()) {
                    largest = graph;
                }
            }
            int excess = held - maxIds;
            int forgotten = largest.forgetEldest(Math.max(0, largest.size() - excess));
            if (forgotten == 0) {
                break;
            }
            held -= forgotten;
        }
        // an empty graph stays: its revision counts on, so that its project's decisions in this run only grow
    }

    private IdentityGraph graph(String project) {
        return graphs.computeIfAbsent(project, name -> new IdentityGraph());
    }

    /** A database call, tried again by {@link #DATABASE}'s policy. */
    private static <T> T retrying(Supplier<T> call) {
        return DATABASE.executeSupplier(call);
    }
}
