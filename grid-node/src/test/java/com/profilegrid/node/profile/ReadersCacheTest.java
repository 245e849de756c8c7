package com.profilegrid.node.profile;

import com.hazelcast.core.EntryView;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.profilegrid.client.ClientSettings;
import com.profilegrid.client.ProfileGridClient;
import com.profilegrid.model.Generation;
import com.profilegrid.model.Profile;
import com.profilegrid.model.ProfileKey;
import com.profilegrid.node.NodeCluster;
import com.profilegrid.node.NodeFixture;
import com.profilegrid.node.ReadersView;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.project.ProjectStore;
import com.profilegrid.pipelines.fold.FoldSettings;
import com.profilegrid.pipelines.fold.ProfileFold;
import com.profilegrid.pipelines.profile.LogRebuild;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.state.ProfileState;
import com.profilegrid.pipelines.state.StatePipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The readers' {@code profiles} map is a read-through cache of the profile state: a change drops its copy and the next
 * read loads the new one. Readers on both members and through the SDK's near cache read the profiles while they
 * change; once quiet, no copy anywhere is older than the state (a load that read the state before a change must not
 * put its older copy after the drop that follows the change), no reader ever saw a profile lose events, and a profile
 * nobody read is not held in the readers' map at all.
 */
class ReadersCacheTest {

    private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
    private static final int READ_USERS = 30;
    private static final int UNREAD_USERS = 10;
    private static final int ROUNDS = 25;

    @TempDir
    Path dir;

    @Test
    void when_profiles_change_while_they_are_read_then_no_cached_copy_stays_older_than_the_state() throws Exception {
        try (NodeCluster cluster = NodeCluster.start(dir, TestDatabases.H2.fresh(dir), 2)) {
            NodeFixture a = cluster.node(0);
            HazelcastInstance member = a.node().member();
            ProjectStore.Created project = a.createProject("cached");
            String projectId = project.projectId();
            try (ProfileGridClient client = connect(a, project)) {
                IMap<ProfileKey, ProfileState> states = member.getMap(
                        StatePipeline.Maps.statesMap(Generation.active(member, projectId)));
                AtomicBoolean reading = new AtomicBoolean(true);
                AtomicLong reads = new AtomicLong();
                ConcurrentLinkedQueue<String> shrunk = new ConcurrentLinkedQueue<>();
                List<Thread> readers = new ArrayList<>();
                for (int r = 0; r < 3; r++) {
                    int which = r;
                    Thread reader = new Thread(() -> {
                        Map<Integer, Long> seen = new HashMap<>();
                        while (reading.get()) {
                            int user = ThreadLocalRandom.current().nextInt(READ_USERS);
                            Profile profile = which == 2 ? client.profile(projectId, "user:u" + user).orElse(null)
                                    : cluster.node(which).node().profiles(projectId)
                                            .get(new ProfileKey(projectId, "user:u" + user));
                            long events = profile == null ? 0 : eventsOf(profile);
                            Long before = seen.put(user, events);
                            if (before != null && events < before) {
                                shrunk.add("u" + user + ": " + before + " -> " + events + " (reader " + which + ")");
                            }
                            reads.incrementAndGet();
                        }
                    }, "reader-" + r);
                    reader.start();
                    readers.add(reader);
                }
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        send(cluster.node(round % 2), project, round);
                        Thread.sleep(40);
                    }
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        Map<ProfileKey, Profile> expected = LogRebuild.profiles(a.logRecords().stream()
                                .map(LogRecord::event).filter(event -> event.project().equals(projectId)).toList(),
                                new ProfileFold(FoldSettings.DEFAULTS));
                        assertThat(expected).hasSize(READ_USERS + UNREAD_USERS);
                        assertThat(ReadersView.ofStates(states)).isEqualTo(expected);
                    });
                    Thread.sleep(500);
                } finally {
                    reading.set(false);
                    for (Thread reader : readers) {
                        reader.join();
                    }
                }
                assertThat(reads.get()).as("reads made while profiles changed").isGreaterThan(1_000);
                assertThat(shrunk).as("profiles read with fewer events than read before").isEmpty();

                for (NodeFixture node : cluster.nodes()) {
                    IMap<ProfileKey, Profile> profiles = node.node().profiles(projectId);
                    for (int user = 0; user < READ_USERS + UNREAD_USERS; user++) {
                        ProfileKey key = new ProfileKey(projectId, "user:u" + user);
                        EntryView<ProfileKey, Profile> held = profiles.getEntryView(key); // what memory holds, no load
                        if (user >= READ_USERS) {
                            assertThat(held).as("readers' copy of %s, never read", key).isNull();
                        } else if (held != null) {
                            assertThat(held.getValue()).as("readers' copy of %s", key).isEqualTo(states.get(key).profile());
                        }
                    }
                }
                // the SDK's near cache: invalidated by every drop, so each read answers what the state holds
                for (int user = 0; user < READ_USERS; user++) {
                    ProfileKey key = new ProfileKey(projectId, "user:u" + user);
                    Profile state = states.get(key).profile();
                    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                            assertThat(client.profile(projectId, key.profileId())).contains(state));
                }
            }
        }
    }

    @Test
    void when_the_sdk_read_a_visitor_before_its_first_event_then_the_profile_still_reaches_it() throws Exception {
        try (NodeCluster cluster = NodeCluster.start(dir, TestDatabases.H2.fresh(dir), 1)) {
            NodeFixture node = cluster.node(0);
            ProjectStore.Created project = node.createProject("misses");
            try (ProfileGridClient client = connect(node, project)) {
                // misses: the near cache keeps them (as absent), and the member, whose loader found nothing, holds
                // nothing the visitor's first event could delete
                for (int i = 0; i < 3; i++) {
                    assertThat(client.profile(project.projectId(), "newcomer")).isEmpty();
                    assertThat(client.profile(project.projectId(), "anon:device-9")).isEmpty();
                }
                client.identify("newcomer", "device-9", java.util.Map.of("plan", "free"));

                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(client.profile(project.projectId(), "newcomer")).isPresent();
                    assertThat(client.profile(project.projectId(), "anon:device-9")).isPresent();
                });
            }
        }
    }

    /** The SDK, connected to {@code node}'s member and HTTP API under {@code project}'s write key. */
    private static ProfileGridClient connect(NodeFixture node, ProjectStore.Created project) {
        HazelcastInstance member = node.node().member();
        return ProfileGridClient.connect(new ClientSettings(member.getConfig().getClusterName(),
                List.of("127.0.0.1:" + member.getCluster().getLocalMember().getAddress().getPort()),
                URI.create("http://127.0.0.1:" + node.node().httpPort()), project.writeKey(), Duration.ofSeconds(10)));
    }

    private static long eventsOf(Profile profile) {
        return profile.eventCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every user once more: an identify with the round as a trait, and a track. */
    private static void send(NodeFixture node, ProjectStore.Created project, int round) throws InterruptedException {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int user = 0; user < READ_USERS + UNREAD_USERS; user++) {
            String at = T0.plus(Duration.ofSeconds(round)).toString();
            body.append(user == 0 ? "" : ",")
                    .append("{\"type\":\"identify\",\"userId\":\"u").append(user).append("\",\"messageId\":\"i-")
                    .append(round).append('-').append(user).append("\",\"timestamp\":\"").append(at)
                    .append("\",\"traits\":{\"round\":").append(round).append("}},")
                    .append("{\"type\":\"track\",\"userId\":\"u").append(user).append("\",\"event\":\"Viewed\",")
                    .append("\"messageId\":\"t-").append(round).append('-').append(user).append("\",\"timestamp\":\"")
                    .append(at).append("\"}");
        }
        node.postLogged("/v1/batch", project.writeKey(), body.append("]}").toString());
    }
}
