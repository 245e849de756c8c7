package com.profilegrid.node.log;

import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.TestDatabases;
import com.profilegrid.node.store.Database;
import com.profilegrid.pipelines.profile.LogRecord;
import com.profilegrid.pipelines.profile.SortedRead;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log read by visitor, as a rebuild reads it: every record up to each shard's end, in order of project, visitor
 * id, shard and position, taken up again after the last key given; on both databases, with two writers' shards.
 */
class SortedLogReadTest {

    private static final Comparator<SortedRead.Key> ORDER = Comparator.comparing(SortedRead.Key::project)
            .thenComparing(SortedRead.Key::id).thenComparingLong(SortedRead.Key::shard)
            .thenComparingLong(SortedRead.Key::seq);
    /** Ids whose byte order is their order as Java strings, a capital, an accented letter and a prefix among them. */
    private static final List<String> IDS = List.of("a", "ab", "B", "z", "Ü", "é", "a b", "1");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void when_the_log_is_read_by_visitor_then_it_comes_in_key_order_up_to_the_ends_and_resumes_after_a_key(
            TestDatabases kind) throws Exception {
        Database.Settings settings = kind.fresh(dir);
        try (Database database = Database.open(settings);
             JdbcTrackingLog first = new JdbcTrackingLog(database, Clock.systemUTC(), "127.0.0.1:5701", 100, 1_000);
             JdbcTrackingLog second = new JdbcTrackingLog(database, Clock.systemUTC(), "127.0.0.1:5702", 100, 1_000)) {
            Random random = new Random(11);
            for (int i = 0; i < 150; i++) {
                (random.nextBoolean() ? first : second).append(List.of(event(random, "m" + i))).get(10, TimeUnit.SECONDS);
            }
            Map<Long, Long> ends = first.lastPositions(null);
            Map<Long, Long> otherEnds = first.lastPositions("other");
            assertThat(ends).containsOnlyKeys(first.localShard(), second.localShard());
            List<LogRecord> all = new ArrayList<>(first.read(first.localShard(), 0, 1_000));
            all.addAll(first.read(second.localShard(), 0, 1_000));
            assertThat(ends).containsEntry(first.localShard(), (long) first.read(first.localShard(), 0, 1_000).size());
            first.append(List.of(event(random, "after-the-ends"))).get(10, TimeUnit.SECONDS);

            List<LogRecord> expected = all.stream().sorted(Comparator.comparing(SortedRead.Key::of, ORDER)).toList();
            List<LogRecord> read = readAll(first, ends, Map.of(), null, 7);
            assertThat(read).extracting(record -> record.event().messageId())
                    .containsExactlyElementsOf(expected.stream().map(record -> record.event().messageId()).toList());
            assertThat(read).extracting(record -> record.event().raw()).containsOnly("");

            // taken up again after what a first read gave, each shard after its last record given
            for (int given : List.of(1, 40, 99, 149)) {
                Map<Long, SortedRead.Key> after = new HashMap<>();
                expected.subList(0, given).forEach(record -> after.put(record.shard(), SortedRead.Key.of(record)));
                assertThat(readAll(second, ends, after, null, 13)).as("after %s records", given)
                        .extracting(record -> record.event().messageId())
                        .containsExactlyElementsOf(expected.subList(given, expected.size()).stream()
                                .map(record -> record.event().messageId()).toList());
            }

            assertThat(readAll(first, otherEnds, Map.of(), "other", 1_000))
                    .extracting(record -> record.event().messageId())
                    .containsExactlyElementsOf(expected.stream().filter(record -> record.event().project().equals("other"))
                            .map(record -> record.event().messageId()).toList());
        } finally {
            TestDatabases.drop(settings);
        }
    }

    private static List<LogRecord> readAll(JdbcTrackingLog log, Map<Long, Long> ends, Map<Long, SortedRead.Key> after,
                                           String project, int batch) {
        List<LogRecord> records = new ArrayList<>();
        try (SortedRead read = log.readSorted(ends, after, project)) {
            List<LogRecord> next;
            do {
                next = read.next(batch);
                records.addAll(next);
            } while (next.size() == batch);
        }
        return records;
    }

    /** A user's, an anonymous visitor's, or an e-mail's only, of one of two projects. */
    private static TrackingEvent event(Random random, String messageId) {
        String project = random.nextInt(3) == 0 ? "other" : "acme";
        String user = null;
        String anonymous = null;
        String traits = "{}";
        switch (random.nextInt(5)) {
            case 0, 1 -> user = IDS.get(random.nextInt(IDS.size()));
            case 2, 3 -> anonymous = IDS.get(random.nextInt(IDS.size()));
            default -> traits = "{\"email\":\"x@example.com\"}";
        }
        Instant at = Instant.parse("2026-11-01T10:00:00Z").plusSeconds(random.nextInt(1_000));
        return new TrackingEvent(project, messageId, EventType.IDENTIFY, null, anonymous, user, null, null, at, at,
                "{}", traits, "{}", "{\"raw\":true}");
    }
}
