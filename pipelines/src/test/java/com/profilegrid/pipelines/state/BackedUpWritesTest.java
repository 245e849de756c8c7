package com.profilegrid.pipelines.state;

import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Multi-key writes that the pipeline counts as done only once their backups have them ({@link BackedUpWrites}), on two
 * real members: at completion every backup has applied the write, so the write survives the loss of either member;
 * and, the reason for the class, the map's own {@code submitToKeys} answers before its backups have run.
 */
class BackedUpWritesTest {

    /** Keys whose backup processor has run, per write tag. */
    private static final Map<String, Set<String>> BACKED_UP = new ConcurrentHashMap<>();
    private static final int KEYS = 24;
    /** How many {@link Tagged} results were serialized. */
    private static final AtomicInteger SERIALIZED = new AtomicInteger();
    /** How many times an {@link Append} step ran, on any member. */
    private static final AtomicInteger STEPS_RUN = new AtomicInteger();

    private final List<HazelcastInstance> members = new ArrayList<>();
    private IMap<String, String> map;
    private Set<String> keys;

    @BeforeEach
    void start() {
        members.addAll(RawIdMapTest.startMembers("backed-up", 2));
        map = members.get(0).getMap("backed-up");
        keys = new LinkedHashSet<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add("k" + i);
        }
        // the keys fall on partitions of both members, so that both send and both take backups
        assertThat(keys.stream().map(key -> members.get(0).getPartitionService().getPartition(key).getOwner())
                .distinct()).hasSize(2);
    }

    @AfterEach
    void stop() {
        members.forEach(member -> member.getLifecycleService().terminate());
    }

    @Test
    void when_a_backed_up_submit_completes_then_every_backup_has_applied_it_and_it_survives_a_member_loss() {
        Map<String, String> results = BackedUpWrites.submitToKeys(map, keys, new SlowBackup("one")).join();

        Map<String, String> expected = new HashMap<>();
        keys.forEach(key -> expected.put(key, key + ":one"));
        assertThat(results).isEqualTo(expected);
        assertThat(BACKED_UP.get("one")).containsExactlyInAnyOrderElementsOf(keys);

        members.remove(1).getLifecycleService().terminate();
        Map<String, String> survived = members.get(0).<String, String>getMap("backed-up").getAll(keys);
        assertThat(survived).hasSize(KEYS).allSatisfy((key, value) -> assertThat(value).isEqualTo("one"));
    }

    @Test
    void when_a_backed_up_submit_answered_by_another_member_completes_then_what_follows_may_call_the_grid() {
        HazelcastInstance other = members.get(1);
        Set<String> remote = new LinkedHashSet<>();
        keys.stream().filter(key -> other.getPartitionService().getPartition(key).getOwner().localMember())
                .forEach(remote::add);
        String first = remote.iterator().next();

        String next = BackedUpWrites.submitToKeys(map, remote, new SlowBackup("three"))
                .thenCompose(results -> map.submitToKey(first, new SlowBackup("four")).toCompletableFuture())
                .join();

        assertThat(next).isEqualTo(first + ":four");
    }

    @Test
    void when_the_maps_own_submit_to_keys_completes_then_its_backups_may_not_have_run_yet() {
        map.submitToKeys(keys, new SlowBackup("two")).toCompletableFuture().join();

        // each backup takes a while, so at completion some have not run: the proxy did not wait for them
        assertThat(BACKED_UP.getOrDefault("two", Set.of())).hasSizeLessThan(KEYS);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(BACKED_UP.get("two")).hasSize(KEYS));
    }

    @Test
    void when_a_backed_up_put_all_completes_then_the_backups_hold_every_entry() {
        Map<String, String> entries = new HashMap<>();
        keys.forEach(key -> entries.put(key, "v-" + key));

        BackedUpWrites.putAll(map, entries).join();

        long backups = members.stream().mapToLong(member ->
                member.getMap("backed-up").getLocalMapStats().getBackupEntryCount()).sum();
        assertThat(backups).isEqualTo(KEYS);
        assertThat(map.getAll(keys)).isEqualTo(entries);

        members.remove(0).getLifecycleService().terminate();
        assertThat(members.get(0).<String, String>getMap("backed-up").getAll(keys)).isEqualTo(entries);
    }

    @Test
    void a_read_by_partition_answers_what_the_maps_get_all_answers_and_loads_what_is_only_in_the_store() {
        Map<String, String> entries = new HashMap<>();
        keys.stream().limit(KEYS / 2).forEach(key -> entries.put(key, "v-" + key));
        map.putAll(entries);
        Set<String> asked = new LinkedHashSet<>(keys);
        asked.add("absent");

        for (HazelcastInstance member : members) {
            IMap<String, String> local = member.getMap("backed-up");
            assertThat(BackedUpWrites.getAll(local, asked)).isEqualTo(entries).isEqualTo(local.getAll(asked));
        }

        // a map with a loader: keys it does not hold in memory are loaded, on both members' partitions
        members.get(0).getConfig().addMapConfig(new MapConfig("backed-up-loaded").setMapStoreConfig(
                new MapStoreConfig().setClassName(Loader.class.getName())));
        IMap<String, String> loaded = members.get(1).getMap("backed-up-loaded");
        loaded.set("k0", "in memory");
        Map<String, String> expected = new HashMap<>();
        keys.forEach(key -> expected.put(key, "stored " + key));
        expected.put("k0", "in memory");
        assertThat(BackedUpWrites.getAll(loaded, asked)).isEqualTo(expected);
        assertThat(loaded.getLocalMapStats().getOwnedEntryCount()
                + members.get(0).getMap("backed-up-loaded").getLocalMapStats().getOwnedEntryCount()).isEqualTo(KEYS);
    }

    /** A store that holds "stored k" for every key that starts with "k", and nothing else. */
    public static final class Loader implements MapLoader<String, String> {
        @Override
        public String load(String key) {
            return key.startsWith("k") ? "stored " + key : null;
        }

        @Override
        public Map<String, String> loadAll(Collection<String> keys) {
            Map<String, String> found = new HashMap<>();
            keys.forEach(key -> {
                String value = load(key);
                if (value != null) {
                    found.put(key, value);
                }
            });
            return found;
        }

        @Override
        public Iterable<String> loadAllKeys() {
            return null;
        }
    }

    @Test
    void when_key_steps_change_entries_then_their_backups_hold_the_values_without_running_the_steps_again() {
        STEPS_RUN.set(0);
        Map<String, List<EntryProcessor<String, String, ?>>> steps = new HashMap<>();
        keys.forEach(key -> steps.put(key, List.of(new Append("a"), new Append("b"))));
        // one key's steps change nothing: it has no backup to send
        String unchanged = keys.iterator().next();
        steps.put(unchanged, List.of(new Append("")));

        Map<String, KeySteps.Results> results = BackedUpWrites.submitByPartition(map, keys,
                own -> {
                    Map<String, List<EntryProcessor<String, String, ?>>> ownSteps = new HashMap<>();
                    own.forEach(key -> ownSteps.put(key, steps.get(key)));
                    return new KeySteps<>(ownSteps, Map.of());
                }).join();

        assertThat(results).hasSize(KEYS);
        assertThat(results.get("k1").<String>get(1)).isEqualTo("ab");
        assertThat(STEPS_RUN.get()).as("steps run, on the primaries only").isEqualTo(2 * (KEYS - 1) + 1);
        long backups = members.stream().mapToLong(member ->
                member.getMap("backed-up").getLocalMapStats().getBackupEntryCount()).sum();
        assertThat(backups).isEqualTo(KEYS - 1);

        members.remove(1).getLifecycleService().terminate();
        Map<String, String> survived = members.get(0).<String, String>getMap("backed-up").getAll(keys);
        assertThat(survived).hasSize(KEYS - 1).doesNotContainKey(unchanged)
                .allSatisfy((key, value) -> assertThat(value).isEqualTo("ab"));
    }

    /** Appends its text to the entry (an empty text changes nothing) and answers the value; counts its runs. */
    record Append(String text) implements EntryProcessor<String, String, String>, Serializable {

        @Override
        public String process(Map.Entry<String, String> entry) {
            STEPS_RUN.incrementAndGet();
            if (!text.isEmpty()) {
                entry.setValue((entry.getValue() == null ? "" : entry.getValue()) + text);
            }
            return entry.getValue();
        }
    }

    @Test
    void when_a_processor_hands_over_locally_then_only_the_other_members_results_are_serialized() {
        SERIALIZED.set(0);
        Set<String> remote = new LinkedHashSet<>();
        keys.stream().filter(key -> !members.get(0).getPartitionService().getPartition(key).getOwner().localMember())
                .forEach(remote::add);

        Map<String, Tagged> results = BackedUpWrites.submitByPartition(map, keys, own -> new HandingOver("five")).join();

        Map<String, Tagged> expected = new HashMap<>();
        keys.forEach(key -> expected.put(key, new Tagged(key + ":five")));
        assertThat(results).isEqualTo(expected);
        assertThat(map.getAll(keys)).hasSize(KEYS).allSatisfy((key, value) -> assertThat(value).isEqualTo("five"));
        // the results of this member's keys came as they were; the other member's were serialized once each
        assertThat(remote).isNotEmpty().hasSizeLessThan(KEYS);
        assertThat(SERIALIZED.get()).isEqualTo(remote.size());
    }

    /** A result that counts how often it is serialized. */
    static final class Tagged implements DataSerializable {
        private String tag;

        public Tagged() {
        }

        Tagged(String tag) {
            this.tag = tag;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            SERIALIZED.incrementAndGet();
            out.writeString(tag);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            tag = in.readString();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tagged that && tag.equals(that.tag);
        }

        @Override
        public int hashCode() {
            return tag.hashCode();
        }

        @Override
        public String toString() {
            return tag;
        }
    }

    /** Sets the entry to its tag and hands its results over where it was made. */
    static final class HandingOver implements EntryProcessor<String, String, Tagged>, HandsOverLocally<String, Tagged>,
            Serializable {
        private final String tag;
        private transient Map<String, Tagged> handOver;

        HandingOver(String tag) {
            this.tag = tag;
        }

        @Override
        public Tagged process(Map.Entry<String, String> entry) {
            entry.setValue(tag);
            Tagged result = new Tagged(entry.getKey() + ":" + tag);
            if (handOver != null) {
                handOver.put(entry.getKey(), result);
                return null;
            }
            return result;
        }

        @Override
        public void handOverTo(Map<String, Tagged> results) {
            handOver = results;
        }
    }

    /** Sets the entry to its tag; its backup sets it too, a while later, and records that it ran. */
    record SlowBackup(String tag) implements EntryProcessor<String, String, String>, Serializable {

        @Override
        public String process(Map.Entry<String, String> entry) {
            entry.setValue(tag);
            return entry.getKey() + ":" + tag;
        }

        @Override
        public EntryProcessor<String, String, String> getBackupProcessor() {
            return new Backup(tag);
        }
    }

    record Backup(String tag) implements EntryProcessor<String, String, String>, Serializable {

        @Override
        public String process(Map.Entry<String, String> entry) {
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            entry.setValue(tag);
            BACKED_UP.computeIfAbsent(tag, ignored -> ConcurrentHashMap.newKeySet()).add(entry.getKey());
            return null;
        }
    }
}
