package com.profilegrid.bench;

import com.hazelcast.map.IMap;
import com.profilegrid.model.GridMaps;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.IngestSettings;
import com.profilegrid.pipelines.state.ProfileState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code profilegrid-bench hot}: what an event of a hot profile costs beside an event of a normal one. One user signs
 * in from {@code --ids} anonymous ids (a shared device, a test user), each of which viewed a page first; then {@code --events} track calls of that user,
 * and as many of a user with one anonymous id, each in batches of 100, each waited on until folded. Prints the time
 * per event of each, their ratio, and how many raw ids the hot profile's state lists (docs/profile-state.md, "Hot
 * profiles").
 */
@Command(name = "hot", mixinStandardHelpOptions = true,
        description = "An event of a profile of very many ids beside an event of a normal profile.")
public final class HotProfileBenchmark implements Callable<Integer> {

    @Option(names = "--db", defaultValue = "postgres", description = "h2 or postgres (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = "--ids", defaultValue = "100000", description = "Anonymous ids of the hot user (default: ${DEFAULT-VALUE}).")
    int ids;

    @Option(names = "--events", defaultValue = "5000", description = "Events measured per profile (default: ${DEFAULT-VALUE}).")
    int events;

    private static final int BATCH = 100;
    private static final int DEVICES_PER_BATCH = 50;

    @Override
    public Integer call() throws Exception {
        try (BenchNode node = new BenchNode(database, IngestSettings.DEFAULTS.withProjectRate(10_000_000, 10_000_000))) {
            long start = System.nanoTime();
            long sent = 0;
            for (int from = 0; from < ids; from += DEVICES_PER_BATCH) {
                StringBuilder body = new StringBuilder("{\"batch\":[");
                for (int i = from; i < Math.min(ids, from + DEVICES_PER_BATCH); i++) {
                    // a page of the device, then its sign-in: the device's id has events of its own to bring
                    body.append(i == from ? "" : ",").append("{\"type\":\"page\",\"name\":\"Home\",")
                            .append("\"anonymousId\":\"device-").append(i).append("\",\"messageId\":\"page-")
                            .append(i).append("\"},{\"type\":\"identify\",\"userId\":\"tester\",")
                            .append("\"anonymousId\":\"device-").append(i).append("\",\"messageId\":\"sign-in-")
                            .append(i).append("\"}");
                    sent += 2;
                }
                node.post("/v1/batch", body.append("]}").toString());
            }
            node.post("/v1/identify", "{\"userId\":\"normal\",\"anonymousId\":\"normal-device\",\"messageId\":\"normal-0\"}");
            sent++;
            awaitEvents(node, "tester", 2L * ids);
            awaitEvents(node, "normal", 1);
            System.out.printf("%-9s hot user signed in from %d anonymous ids in %.1f s (%.0f us per sign-in)%n", database,
                    ids, (System.nanoTime() - start) / 1e9, (System.nanoTime() - start) / 1e3 / ids);

            double hot = perEvent(node, "tester", sent, 2L * ids);
            sent += events;
            double normal = perEvent(node, "normal", sent, 1);
            sent += events;
            double hotAgain = perEvent(node, "tester", sent, 2L * ids + events);
            IMap<ProfileKey, ProfileState> states = node.member().getMap("profile-state");
            ProfileState state = states.get(new ProfileKey(node.projectId(), "user:tester"));
            System.out.printf("%-9s %d events of the hot user: %.0f us per event, then %.0f; of a normal user: %.0f us per "
                    + "event; hot / normal %.2f%n", database, events, hot, hotAgain, normal, Math.min(hot, hotAgain) / normal);
            System.out.printf("%-9s the hot profile's state lists %d of its %d raw ids (%d member chunks)%n", database,
                    state.absorbed().size(), ids + 1, state.memberChunks());
        }
        return 0;
    }

    /**
     * Sends {@code events} tracks of {@code userId}, whose profile holds {@code held} events, and waits until they are
     * folded: microseconds per event.
     */
    private double perEvent(BenchNode node, String userId, long before, long held) throws Exception {
        long start = System.nanoTime();
        for (int from = 0; from < events; from += BATCH) {
            StringBuilder body = new StringBuilder("{\"batch\":[");
            for (int i = from; i < Math.min(events, from + BATCH); i++) {
                body.append(i == from ? "" : ",").append("{\"type\":\"track\",\"userId\":\"").append(userId)
                        .append("\",\"event\":\"Viewed\",\"messageId\":\"").append(userId).append('-').append(before + i)
                        .append("\"}");
            }
            node.post("/v1/batch", body.append("]}").toString());
        }
        awaitEvents(node, userId, held + events);
        return (System.nanoTime() - start) / 1e3 / events;
    }

    /** Waits until the profile of {@code userId} holds {@code events} events (one read, not a scan of every profile). */
    private static void awaitEvents(BenchNode node, String userId, long events) throws InterruptedException {
        IMap<ProfileKey, Profile> profiles = node.member().getMap(GridMaps.PROFILES);
        ProfileKey key = new ProfileKey(node.projectId(), "user:" + userId);
        while (true) {
            Profile profile = profiles.get(key);
            if (profile != null && profile.eventCounts().values().stream().mapToLong(Long::longValue).sum() >= events) {
                return;
            }
            Thread.sleep(5);
        }
    }
}
