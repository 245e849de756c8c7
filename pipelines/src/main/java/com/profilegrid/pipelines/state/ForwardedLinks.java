package com.profilegrid.pipelines.state;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.identity.Ids;
import com.profilegrid.pipelines.identity.Link;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.TrackingLogSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which events with identity links go on to their project's identity graph: those that state a link this processor has
 * not sent on in this run of the job, or an earlier one of it (docs/profile-state.md, "Identity work spreads").
 *
 * <p>The identity graph of a project is one processor's (its decisions need the whole project's links in event-time
 * order), but most events with links repeat a link their visitor stated before, and the graph does nothing with
 * those: it keeps the earliest link of each pair of ids, and a link of a known pair that is not earlier changes
 * nothing (no decision, no refusal, nothing to record). This stage, keyed by the event's raw id and so spread over
 * every processor of the cluster, drops such an event before it reaches the graph. It only drops a link that it sent
 * on itself, earlier in the same run: that one reaches the graph first (one upstream processor's items reach one
 * downstream processor in order), so by the time the dropped one would have arrived, the graph holds an earlier or
 * equal link of the pair and would have ignored it. A run that stops takes this stage's memory with it; the next run
 * sends every pair on once again. Events the log held when the run began ({@link LogRecord#replayed}) always go on:
 * they may be replays, whose clusters the graph announces once per run.
 *
 * <p>Holds at most {@link #maxPairs} pairs, least recently used forgotten first: a forgotten pair is sent on again.
 */
final class ForwardedLinks {

    /** Overrides the bound on pairs held per processor (for tests). */
    static final String MAX_PAIRS_PROPERTY = "profilegrid.identity.max-forwarded-links";
    /** Bytes a pair costs here, about (its key, the link, the map's entry). */
    private static final long BYTES_PER_PAIR = 400;

    private final Map<String, Link> sent;

    ForwardedLinks(int maxPairs) {
        this.sent = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Link> eldest) {
                return size() > maxPairs;
            }
        };
    }

    /** A stage's memory for one processor, bounded by {@link #maxPairs()}. */
    static ForwardedLinks startingNow() {
        return new ForwardedLinks(maxPairs());
    }

    /**
     * The bound on pairs one processor holds: 2% of the heap over the member's processors of this stage, at
     * {@link #BYTES_PER_PAIR} each, at least 1,000 ({@value #MAX_PAIRS_PROPERTY} overrides it).
     */
    static int maxPairs() {
        String given = System.getProperty(MAX_PAIRS_PROPERTY);
        if (given != null) {
            return Integer.parseInt(given);
        }
        long bytes = Runtime.getRuntime().maxMemory() / 50 / TrackingLogSource.PROCESSORS_PER_MEMBER;
        return (int) Math.max(1_000, Math.min(Integer.MAX_VALUE, bytes / BYTES_PER_PAIR));
    }

    /** Whether {@code record}, of the raw id {@code rawKey}, must go on to the identity graph; remembers what it sends. */
    boolean goesOn(String rawKey, LogRecord record) {
        TrackingEvent event = record.event();
        if (record.replayed()) {
            return true;
        }
        List<Link> links = Ids.links(event);
        boolean news = false;
        for (Link link : links) {
            // every link of an event joins its primary id (the raw id the stage is keyed by) to another
            String pair = rawKey + '\u001f' + link.b();
            Link before = sent.get(pair);
            if (before == null || Link.DECISION_ORDER.compare(link, before) < 0) {
                sent.put(pair, link);
                news = true;
            }
        }
        return news;
    }
}
