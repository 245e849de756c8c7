package com.profilegrid.node.store;

import com.hazelcast.client.test.TestHazelcastFactory;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hazelcast's initial-load protocol, met by a member whose partitions migrate away while a map's keys load: the
 * partitions it held become backup replicas still waiting for "loaded", which only their new owners are told, and
 * every write to them then fails for want of a backup. {@link LoadStatusRepair} marks those replicas loaded.
 */
class LoadStatusRepairTest {

    private static volatile CountDownLatch keysReleased = new CountDownLatch(1);
    private static final int KEYS = 100;

    private final TestHazelcastFactory factory = new TestHazelcastFactory();

    @AfterEach
    void stop() {
        keysReleased.countDown();
        factory.terminateAll();
    }

    @Test
    void writes_to_partitions_that_moved_while_the_keys_loaded_fail_until_their_backups_are_marked_loaded()
            throws Exception {
        keysReleased = new CountDownLatch(1);
        HazelcastInstance first = factory.newHazelcastInstance(config());
        // the first touch creates every partition's record store on the only member, waiting for "loaded"
        CompletableFuture<Integer> touched = CompletableFuture.supplyAsync(() -> first.getMap("slow-keys").size());
        TimeUnit.SECONDS.sleep(2);
        HazelcastInstance second = factory.newHazelcastInstance(config());
        await().atMost(Duration.ofSeconds(60)).until(() -> first.getPartitionService().isClusterSafe()
                && second.getPartitionService().isClusterSafe());
        keysReleased.countDown();
        assertThat(touched.get(60, TimeUnit.SECONDS)).isZero();

        IMap<String, String> map = second.getMap("slow-keys");
        assertThat(failedWrites(map)).as("writes refused for want of a backup").isPositive();

        // the first member holds the replicas that moved away while waiting; the second owns them and waits for nothing
        assertThat(LoadStatusRepair.on(second).repairOnce()).isZero();
        assertThat(LoadStatusRepair.on(first).repairOnce()).isPositive();
        assertThat(LoadStatusRepair.on(first).repairOnce()).as("nothing is left waiting").isZero();
        // the backups that failed left their replicas behind the owner: writes go through again once Hazelcast's
        // anti-entropy has synced them (every 5 s, as the member configuration has it)
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(failedWrites(map)).isZero());
        assertThat(map.size()).isEqualTo(KEYS);
        first.getLifecycleService().terminate();
        assertThat(second.getMap("slow-keys").size()).as("every write was backed up").isEqualTo(KEYS);
    }

    private static int failedWrites(IMap<String, String> map) {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            // an entry processor, as the profile job's steps: its backup reads the entry, which may load it
            writes.add(map.submitToKey("k" + i, new SetValue("v" + i)).toCompletableFuture().thenApply(ignored -> null));
        }
        int failed = 0;
        for (CompletableFuture<Void> write : writes) {
            try {
                write.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                failed++;
            }
        }
        return failed;
    }

    private static Config config() {
        Config config = new Config()
                .setProperty("hazelcast.operation.fail.on.indeterminate.state", "true")
                .setProperty("hazelcast.operation.backup.timeout.millis", "2000")
                .setProperty("hazelcast.partition.backup.sync.interval", "5")
                .setProperty("hazelcast.partition.count", "23");
        config.addMapConfig(new MapConfig("slow-keys").setBackupCount(1).setMapStoreConfig(
                new MapStoreConfig().setEnabled(true).setImplementation(new SlowKeys())));
        return config;
    }

    /** Sets the entry's value, on the primary and again on the backup. */
    record SetValue(String value) implements EntryProcessor<String, String, String> {
        @Override
        public String process(Map.Entry<String, String> entry) {
            entry.setValue(value);
            return value;
        }
    }

    /** A loader with nothing to load whose key listing waits until the test lets it go. */
    static final class SlowKeys implements MapLoader<String, String> {
        @Override
        public String load(String key) {
            return null;
        }

        @Override
        public Map<String, String> loadAll(Collection<String> keys) {
            return Map.of();
        }

        @Override
        public Iterable<String> loadAllKeys() {
            try {
                keysReleased.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }
}
