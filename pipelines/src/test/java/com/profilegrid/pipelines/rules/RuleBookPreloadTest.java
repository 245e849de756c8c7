package com.profilegrid.pipelines.rules;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member's rule book, preloaded from the database before the member starts, then brought up to date with the maps
 * when it follows them: a definition deleted meanwhile is dropped, one added meanwhile is taken in; and one its
 * listener missed is taken in from its next read of the maps.
 */
class RuleBookPreloadTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void when_the_book_starts_following_the_maps_then_it_holds_what_they_hold() throws Exception {
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config());
        try {
            RuleBook book = new RuleBook(Duration.ofDays(30), Clock.systemUTC());
            book.preload(List.of(label("kept"), label("deleted")), List.of(trigger("receipt")));
            assertThat(book.triggersOf("acme")).containsOnlyKeys("receipt");

            // meanwhile the maps changed: one label deleted, one added, the trigger deleted
            member.<String, LabelDefinition>getMap(LabelDefinition.MAP).put("acme\u241Fkept", label("kept"));
            member.<String, LabelDefinition>getMap(LabelDefinition.MAP).put("acme\u241Fadded", label("added"));
            try (AutoCloseable watching = book.watch(member)) {
                assertThat(book.triggersOf("acme")).isEmpty();
                assertThat(names(book)).containsExactlyInAnyOrder("kept", "added");
            }
        } finally {
            member.shutdown();
        }
    }

    @Test
    void when_the_listener_misses_a_definition_then_the_book_takes_it_in_from_its_next_read_of_the_map() throws Exception {
        // a definition the map loads from its store reaches the map without an added event, as a definition does
        // whose event the listener missed
        java.util.Map<String, TriggerDefinition> stored = new java.util.concurrent.ConcurrentHashMap<>();
        Config config = config();
        config.getMapConfig(TriggerDefinition.MAP).getMapStoreConfig().setEnabled(true)
                .setInitialLoadMode(com.hazelcast.config.MapStoreConfig.InitialLoadMode.EAGER)
                .setImplementation(new com.hazelcast.map.MapLoader<String, TriggerDefinition>() {
                    @Override
                    public TriggerDefinition load(String key) {
                        return stored.get(key);
                    }

                    @Override
                    public java.util.Map<String, TriggerDefinition> loadAll(java.util.Collection<String> keys) {
                        java.util.Map<String, TriggerDefinition> found = new java.util.HashMap<>();
                        keys.forEach(key -> {
                            if (stored.containsKey(key)) {
                                found.put(key, stored.get(key));
                            }
                        });
                        return found;
                    }

                    @Override
                    public Iterable<String> loadAllKeys() {
                        return java.util.Set.copyOf(stored.keySet());
                    }
                });
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        try {
            RuleBook book = new RuleBook(Duration.ofDays(30), Clock.systemUTC());
            try (AutoCloseable watching = book.watch(member)) {
                assertThat(book.triggersOf("acme")).isEmpty();

                stored.put("acme\u241Freceipt", trigger("receipt"));
                member.<String, TriggerDefinition>getMap(TriggerDefinition.MAP).loadAll(java.util.Set.of("acme\u241Freceipt"),
                        true);

                org.awaitility.Awaitility.await().atMost(RuleBook.RESYNC.multipliedBy(3))
                        .until(() -> book.triggersOf("acme").containsKey("receipt"));
            }
        } finally {
            member.shutdown();
        }
    }

    private static Config config() {
        Config config = new Config().setClusterName("rules-" + UUID.randomUUID())
                .setProperty("hazelcast.phone.home.enabled", "false").setProperty("hazelcast.logging.type", "slf4j");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        config.getSerializationConfig().getCompactSerializationConfig()
                .addSerializer(new LabelDefinitionSerializer()).addSerializer(new TriggerDefinitionSerializer());
        return config;
    }

    private static java.util.Set<String> names(RuleBook book) {
        com.profilegrid.model.Profile empty = com.profilegrid.model.Profile.empty(
                new com.profilegrid.model.ProfileKey("acme", "user:u1"));
        return book.labelsOf(empty);
    }

    /** A label every profile is in. */
    private static LabelDefinition label(String name) {
        return new LabelDefinition("acme", name, "{\"not\": {\"property\": \"plan\", \"op\": \"exists\"}}", T0, T0);
    }

    private static TriggerDefinition trigger(String name) {
        return new TriggerDefinition("acme", name, "{\"on\": {\"event\": \"Purchase\"}, \"webhook\": "
                + "{\"url\": \"http://127.0.0.1:9/hook\", \"secret\": \"sixteen-characters\"}}", T0, T0);
    }
}
