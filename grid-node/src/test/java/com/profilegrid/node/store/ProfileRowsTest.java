package com.profilegrid.node.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.profilegrid.model.EventType;
import com.profilegrid.model.Identities;
import com.profilegrid.model.Profile;
import com.profilegrid.model.PropertyValue;
import com.profilegrid.model.RecentEvent;
import com.profilegrid.model.Visit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The profile columns the write-behind renders with Jackson's streaming generator are the text the object mapper
 * wrote for them before (sorted keys, the stored records' field names), so rows written by either read back alike:
 * names and values with quotes, backslashes, control characters and characters outside ASCII included.
 */
class ProfileRowsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final String[] ODD = {"plain", "with \"quotes\"", "back\\slash", "tab\tnew\nline", "\u0001ctl",
            "é ü 日本", "emoji \uD83D\uDE00", "", "</script>", "100"};

    private final ProfileRows rows = new ProfileRows();

    @Property(tries = 200)
    void the_streamed_columns_are_the_text_the_object_mapper_wrote(@ForAll long seed,
                                                                   @ForAll @IntRange(max = 12) int size)
            throws JsonProcessingException, java.sql.SQLException {
        Random random = new Random(seed);
        Set<String> anonymous = new HashSet<>();
        Map<String, PropertyValue> properties = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        List<Visit> visits = new ArrayList<>();
        List<RecentEvent> recent = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            anonymous.add(odd(random) + i);
            properties.put(odd(random) + i, new PropertyValue("{\"v\":\"" + i + "\"}",
                    Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L)), odd(random)));
            counts.put(odd(random) + i, random.nextLong(0, Long.MAX_VALUE));
            long start = random.nextLong(0, 4_000_000_000_000L);
            visits.add(new Visit(Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + random.nextInt(1_000_000))));
            recent.add(new RecentEvent(odd(random) + i, EventType.values()[random.nextInt(EventType.values().length)],
                    random.nextBoolean() ? null : odd(random), Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L))));
        }
        Profile profile = new Profile("prj", "user:" + seed, new Identities(null, anonymous, Set.of("a@b.c")), properties,
                counts, null, null, visits, recent, Set.copyOf(anonymous), counts);

        assertThat(rows.writeStrings(anonymous)).isEqualTo(MAPPER.writeValueAsString(new TreeSet<>(anonymous)));
        assertThat(rows.writeCounts(counts)).isEqualTo(MAPPER.writeValueAsString(new TreeMap<>(counts)));
        Map<String, ProfileRows.StoredProperty> stored = new TreeMap<>();
        properties.forEach((name, value) -> stored.put(name,
                new ProfileRows.StoredProperty(value.json(), value.setAt().toEpochMilli(), value.messageId())));
        RecordingStatement statement = new RecordingStatement();
        rows.bind(statement.proxy(), profile);
        assertThat(statement.strings.get(6)).isEqualTo(MAPPER.writeValueAsString(stored));
        assertThat(statement.strings.get(12)).isEqualTo(MAPPER.writeValueAsString(visits.stream()
                .map(visit -> new long[] {visit.start().toEpochMilli(), visit.end().toEpochMilli()}).toList()));
        assertThat(statement.strings.get(14)).isEqualTo(MAPPER.writeValueAsString(new TreeMap<>(counts)));
        assertThat(statement.strings.get(13)).isEqualTo(MAPPER.writeValueAsString(recent.stream()
                .map(e -> new ProfileRows.StoredEvent(e.messageId(), e.type().wireName(), e.name(),
                        e.timestamp().toEpochMilli())).toList()));
    }

    private static String odd(Random random) {
        return ODD[random.nextInt(ODD.length)];
    }

    /** A prepared statement that keeps the strings bound to it, by parameter index. */
    private static final class RecordingStatement {
        final Map<Integer, String> strings = new HashMap<>();

        java.sql.PreparedStatement proxy() {
            return (java.sql.PreparedStatement) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {java.sql.PreparedStatement.class}, (self, method, args) -> {
                        if (method.getName().equals("setString")) {
                            strings.put((Integer) args[0], (String) args[1]);
                        }
                        return null;
                    });
        }
    }
}
