package com.profilegrid.pipelines.profile;

import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.logging.Logger;
import com.profilegrid.model.EventType;
import com.profilegrid.model.TrackingEvent;
import com.profilegrid.pipelines.identity.ProjectLink;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the log source polls: it reads each shard it owns in order, asks again at once when its member's own writer
 * commits, and stops reading a closed shard it has read to the end. Against an in-memory log whose reads it counts.
 */
class TrackingLogSourceTest {

    private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

    @Test
    void when_the_members_writer_commits_then_the_reader_reads_at_once_and_otherwise_waits_for_its_poll() {
        MemoryLog log = new MemoryLog(1);
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 10, null, Logger.noLogger());
        List<TrackingEvent> out = new ArrayList<>();

        reader.fill(buffer(out));
        assertThat(out).isEmpty();
        int readsWhenIdle = log.reads;
        reader.fill(buffer(out));
        assertThat(log.reads).as("idle: no new read before the poll interval").isEqualTo(readsWhenIdle);

        log.commit(1, "m1");
        reader.fill(buffer(out));
        assertThat(out).extracting(TrackingEvent::messageId).containsExactly("m1");
    }

    @Test
    void when_a_closed_shard_is_read_to_its_end_then_it_is_not_read_again() throws InterruptedException {
        MemoryLog log = new MemoryLog(-1);
        log.commit(1, "a1");
        log.commit(2, "b1");
        log.closed.put(1L, true);
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 10, null, Logger.noLogger());
        List<TrackingEvent> out = new ArrayList<>();

        reader.fill(buffer(out));
        assertThat(out).extracting(TrackingEvent::messageId).containsExactlyInAnyOrder("a1", "b1");
        Thread.sleep(30);
        reader.fill(buffer(out)); // finds shard 1 closed and empty from where it stands
        log.readsByShard.clear();
        Thread.sleep(30);
        reader.fill(buffer(out));
        Thread.sleep(30);
        reader.fill(buffer(out));
        assertThat(log.readsByShard).containsOnlyKeys(2L);
    }

    @Test
    void when_the_log_cannot_be_read_then_the_reader_waits_and_goes_on_from_where_it_stood() throws InterruptedException {
        MemoryLog log = new MemoryLog(-1);
        log.commit(1, "m1");
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 10, null, Logger.noLogger());
        List<TrackingEvent> out = new ArrayList<>();
        reader.fill(buffer(out));
        log.commit(1, "m2");
        log.down = true;

        Thread.sleep(30);
        reader.fill(buffer(out)); // fails inside, does not throw: the job keeps running
        int readsWhileDown = log.reads;
        Thread.sleep(30);
        reader.fill(buffer(out));
        assertThat(log.reads).as("backs off after a failure").isEqualTo(readsWhileDown);

        log.down = false;
        Thread.sleep(1_100);
        reader.fill(buffer(out));
        assertThat(out).extracting(TrackingEvent::messageId).containsExactly("m1", "m2");
    }

    @Test
    void when_a_project_is_given_then_only_its_events_are_read() {
        MemoryLog log = new MemoryLog(-1);
        log.commit(1, "a1");
        log.commit(1, "other:o1");
        log.commit(1, "a2");
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 10, "acme", Logger.noLogger());
        List<TrackingEvent> out = new ArrayList<>();
        reader.fill(buffer(out));
        assertThat(out).extracting(TrackingEvent::messageId).containsExactly("a1", "a2");
    }

    @Test
    void when_the_job_has_durable_positions_then_reading_starts_after_them_unless_restored_from_a_snapshot() {
        MemoryLog log = new MemoryLog(-1);
        log.commit(1, "a1");
        log.commit(1, "a2");
        log.commit(1, "a3");
        log.commit(2, "b1");
        MemoryProgress progress = new MemoryProgress();
        progress.positions.put(1L, 2L);
        progress.positions.put(2L, 1L);
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 10, null, Logger.noLogger(),
                progress, "profiles");
        List<TrackingEvent> out = new ArrayList<>();
        reader.fill(buffer(out));
        assertThat(out).extracting(TrackingEvent::messageId).containsExactly("a3");

        TrackingLogSource.Reader restored = new TrackingLogSource.Reader(log, 0, 1, 10, null, Logger.noLogger(),
                progress, "profiles");
        restored.restore(List.of(new TrackingLogSource.Saved(Map.of(1L, 1L))));
        List<TrackingEvent> again = new ArrayList<>();
        restored.fill(buffer(again));
        assertThat(again).as("the snapshot's cursors, not the stored positions").extracting(TrackingEvent::messageId)
                .containsExactly("a2", "a3", "b1");
    }

    @Test
    void when_a_snapshot_begins_then_the_one_before_it_is_told_as_applied() {
        MemoryLog log = new MemoryLog(-1);
        log.commit(1, "a1");
        MemoryProgress progress = new MemoryProgress();
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 10, null, Logger.noLogger(),
                progress, "profiles");
        reader.fill(buffer(new ArrayList<>()));
        TrackingLogSource.Saved first = reader.snapshot();
        assertThat(progress.applied).as("not before the next snapshot shows the first passed every stage").isEmpty();
        log.commit(1, "a2");
        reader.fill(buffer(new ArrayList<>()));
        reader.snapshot();
        assertThat(progress.applied).containsExactly(Map.entry(1L, 1L));
        assertThat(first.cursors()).containsExactly(Map.entry(1L, 1L));
    }

    @Test
    void when_the_job_is_held_then_the_reader_reads_nothing_says_where_it_stopped_and_reads_on_once_released()
            throws InterruptedException {
        MemoryLog log = new MemoryLog(-1);
        log.commit(1, "a1");
        log.commit(2, "b1");
        MemoryProgress progress = new MemoryProgress();
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 1, 2, 10, null, Logger.noLogger(),
                progress, "profiles");
        List<TrackingEvent> out = new ArrayList<>();
        reader.fill(buffer(out));
        assertThat(out).as("processor 1 of 2 reads the odd shards").extracting(TrackingEvent::messageId)
                .containsExactly("a1");

        progress.held = true;
        log.commit(1, "a2");
        int readsBefore = log.reads;
        Thread.sleep(30);
        reader.fill(buffer(out));
        assertThat(log.reads).as("held: no read").isEqualTo(readsBefore);
        assertThat(out).extracting(TrackingEvent::messageId).containsExactly("a1");
        assertThat(progress.stops).containsExactly(Map.entry(1, Map.of(1L, 1L)));
        assertThat(progress.stopsParallelism).isEqualTo(2);

        progress.held = false;
        reader.fill(buffer(out));
        assertThat(out).extracting(TrackingEvent::messageId).containsExactly("a1", "a2");
    }

    @Test
    void when_a_reader_starts_then_what_it_reads_before_first_reaching_a_shards_end_is_marked_a_possible_replay()
            throws InterruptedException {
        MemoryLog log = new MemoryLog(-1);
        for (int i = 1; i <= 3; i++) {
            log.commit(1, "old-" + i);
        }
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 2, null, Logger.noLogger());
        List<LogRecord> out = new ArrayList<>();
        SourceBuilder.SourceBuffer<LogRecord> records = records(out);
        reader.fill(records); // a full batch of 2: the shard's end not reached yet
        reader.fill(records); // the third, short of a batch: the end reached
        log.commit(1, "new-1");
        Thread.sleep(30);
        reader.fill(records);
        assertThat(out).extracting(record -> record.event().messageId() + ":" + record.replayed())
                .containsExactly("old-1:true", "old-2:true", "old-3:true", "new-1:false");
    }

    @Test
    void when_a_job_starts_from_nothing_then_it_reads_what_the_log_holds_by_visitor_then_on_in_position_order()
            throws InterruptedException {
        MemoryLog log = new MemoryLog(-1).sortable();
        log.commit(1, "m1", null, "x");
        log.commit(1, "m2", "u1", "y");
        log.commit(2, "m3", null, "x");
        log.commit(1, "m4", null, "y");
        log.commit(1, "m5", null, "x");
        log.commit(2, "m6", "u1", null);
        MemoryProgress progress = new MemoryProgress();
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 2, null, Logger.noLogger(),
                progress, "profiles");
        List<LogRecord> out = new ArrayList<>();
        SourceBuilder.SourceBuffer<LogRecord> records = records(out);
        reader.fill(records);
        log.commit(1, "m7", null, "x"); // after the pass's end: read in position order once the pass is over
        for (int i = 0; i < 4; i++) {
            reader.fill(records);
        }
        reader.snapshot();
        reader.snapshot();
        Thread.sleep(30);
        reader.fill(records);
        assertThat(out).extracting(record -> record.event().messageId() + ":" + record.replayed())
                .as("by project, visitor (user id, else anonymous id), shard and position; what the log held marked "
                        + "a possible replay")
                .containsExactly("m1:true", "m5:true", "m3:true", "m4:true", "m2:true", "m6:true", "m7:true");
        assertThat(progress.applied).as("positions told once the pass is over").containsExactly(
                Map.entry(1L, 5L), Map.entry(2L, 2L));
    }

    @Test
    void when_a_snapshot_is_taken_during_the_pass_then_a_restore_goes_on_with_it_shard_by_shard_and_skips_nothing() {
        MemoryLog log = new MemoryLog(-1).sortable();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 60; i++) {
            log.commit(1 + random.nextInt(3), "m" + i, random.nextBoolean() ? "u" + random.nextInt(5) : null,
                    "a" + random.nextInt(5));
        }
        MemoryProgress progress = new MemoryProgress();
        List<LogRecord> before = new ArrayList<>();
        List<TrackingLogSource.Saved> saved = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, index, 2, 4, null, Logger.noLogger(),
                    progress, "profiles");
            reader.fill(records(before));
            reader.fill(records(before));
            saved.add(reader.snapshot());
            reader.fill(records(new ArrayList<>())); // read after the snapshot: met again after the restore
        }
        assertThat(progress.applied).as("no positions while the pass runs").isEmpty();
        assertThat(saved).allSatisfy(snapshot -> assertThat(snapshot.passEnds()).isNotEmpty());

        TrackingLogSource.Reader restored = new TrackingLogSource.Reader(log, 0, 1, 4, null, Logger.noLogger(),
                progress, "profiles");
        restored.restore(saved);
        List<LogRecord> after = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            restored.fill(records(after));
        }
        Set<String> seen = new HashSet<>();
        before.forEach(record -> seen.add(record.event().messageId()));
        after.forEach(record -> seen.add(record.event().messageId()));
        assertThat(seen).as("every event, before the snapshot or after the restore").hasSize(60);
        // per visitor and shard, what the restored reader gives keeps log order
        Map<String, Long> last = new HashMap<>();
        for (LogRecord record : after) {
            String visitor = SortedRead.Key.of(record).id() + "@" + record.shard();
            assertThat(record.seq()).isGreaterThan(last.getOrDefault(visitor, 0L));
            last.put(visitor, record.seq());
        }
    }

    @Test
    void when_the_log_fails_during_the_pass_then_it_goes_on_after_the_last_record_given() throws InterruptedException {
        MemoryLog log = new MemoryLog(-1).sortable();
        for (int i = 0; i < 10; i++) {
            log.commit(1, "m" + i, null, "a" + (i % 3));
        }
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 3, null, Logger.noLogger(),
                new MemoryProgress(), "profiles");
        List<LogRecord> out = new ArrayList<>();
        reader.fill(records(out));
        log.down = true;
        reader.fill(records(out)); // fails inside: the open read is closed
        log.down = false;
        Thread.sleep(1_100);
        for (int i = 0; i < 5; i++) {
            reader.fill(records(out));
        }
        assertThat(out).extracting(record -> record.event().messageId())
                .containsExactly("m0", "m3", "m6", "m9", "m1", "m4", "m7", "m2", "m5", "m8");
        assertThat(log.sortedReads).as("opened again once").isEqualTo(2);
    }

    @Test
    void when_the_job_is_held_during_the_pass_then_it_says_it_stopped_at_the_passs_ends() {
        MemoryLog log = new MemoryLog(-1).sortable();
        log.commit(1, "m1", null, "x");
        log.commit(1, "m2", null, "y");
        MemoryProgress progress = new MemoryProgress();
        TrackingLogSource.Reader reader = new TrackingLogSource.Reader(log, 0, 1, 1, null, Logger.noLogger(),
                progress, "profiles");
        reader.fill(records(new ArrayList<>()));
        progress.held = true;
        reader.fill(records(new ArrayList<>()));
        assertThat(progress.stops).containsExactly(Map.entry(0, Map.of(1L, 2L)));
    }

    /** Durable progress in memory: positions as given, what was told applied, a hold and where it stopped. */
    private static final class MemoryProgress implements DurableProgress {
        final Map<Long, Long> positions = new TreeMap<>();
        final Map<Long, Long> applied = new TreeMap<>();
        final Map<Integer, Map<Long, Long>> stops = new TreeMap<>();
        int stopsParallelism;
        boolean held;

        @Override
        public boolean held(String job) {
            return held;
        }

        @Override
        public void holding(String job, int index, int parallelism, Map<Long, Long> cursors) {
            stops.put(index, Map.copyOf(cursors));
            stopsParallelism = parallelism;
        }

        @Override
        public Map<Long, Long> positions(String job) {
            return positions;
        }

        @Override
        public void applied(String job, Map<Long, Long> positions) {
            positions.forEach((shard, seq) -> applied.merge(shard, seq, Math::max));
        }

        @Override
        public long nextEpoch(long atLeast, long span) {
            return atLeast;
        }

        @Override
        public void saveLinks(java.util.Collection<ProjectLink> saved) {
        }

        @Override
        public List<ProjectLink> linksTouching(String project, java.util.Collection<String> ids) {
            return List.of();
        }
    }

    private static SourceBuilder.SourceBuffer<LogRecord> buffer(List<TrackingEvent> out) {
        return into(record -> out.add(record.event()), out::size);
    }

    private static SourceBuilder.SourceBuffer<LogRecord> records(List<LogRecord> out) {
        return into(out::add, out::size);
    }

    private static SourceBuilder.SourceBuffer<LogRecord> into(java.util.function.Consumer<LogRecord> add,
                                                              java.util.function.IntSupplier size) {
        return new SourceBuilder.SourceBuffer<>() {
            @Override
            public int size() {
                return size.getAsInt();
            }

            @Override
            public void close() {
            }

            @Override
            public void add(LogRecord item) {
                add.accept(item);
            }
        };
    }

    /** Shards of records in memory; a message id {@code other:...} belongs to project {@code other}, the rest to acme. */
    private static final class MemoryLog implements TrackingLogReader {
        final Map<Long, List<LogRecord>> shards = new TreeMap<>();
        final Map<Long, Boolean> closed = new TreeMap<>();
        final Map<Long, Integer> readsByShard = new TreeMap<>();
        final long localShard;
        long commits;
        int reads;
        int sortedReads;
        boolean sortable;
        boolean down;

        MemoryLog(long localShard) {
            this.localShard = localShard;
        }

        void commit(long shard, String messageId) {
            commit(shard, messageId, null, "a");
        }

        void commit(long shard, String messageId, String userId, String anonymousId) {
            List<LogRecord> records = shards.computeIfAbsent(shard, s -> new ArrayList<>());
            String project = messageId.startsWith("other:") ? "other" : "acme";
            records.add(new LogRecord(shard, records.size() + 1, new TrackingEvent(project, messageId, EventType.TRACK,
                    "e", anonymousId, userId, null, null, T0, T0, "{}", "{}", "{}", "{}")));
            commits++;
        }

        /** Makes this log read in key order too. */
        MemoryLog sortable() {
            sortable = true;
            return this;
        }

        @Override
        public Map<Long, Long> lastPositions(String project) {
            if (!sortable) {
                return null;
            }
            Map<Long, Long> ends = new TreeMap<>();
            shards.forEach((shard, records) -> records.stream()
                    .filter(record -> project == null || record.event().project().equals(project))
                    .forEach(record -> ends.put(shard, record.seq())));
            return ends;
        }

        @Override
        public SortedRead readSorted(Map<Long, Long> ends, Map<Long, SortedRead.Key> after, String project) {
            sortedReads++;
            if (down) {
                throw new IllegalStateException("database down");
            }
            java.util.Comparator<SortedRead.Key> order = java.util.Comparator.comparing(SortedRead.Key::project)
                    .thenComparing(SortedRead.Key::id).thenComparingLong(SortedRead.Key::shard)
                    .thenComparingLong(SortedRead.Key::seq);
            java.util.Iterator<LogRecord> sorted = ends.entrySet().stream()
                    .flatMap(end -> shards.getOrDefault(end.getKey(), List.of()).stream()
                            .filter(record -> record.seq() <= end.getValue())
                            .filter(record -> !after.containsKey(end.getKey())
                                    || order.compare(SortedRead.Key.of(record), after.get(end.getKey())) > 0))
                    .filter(record -> project == null || record.event().project().equals(project))
                    .sorted(java.util.Comparator.comparing(SortedRead.Key::of, order)).iterator();
            return new SortedRead() {
                @Override
                public List<LogRecord> next(int limit) {
                    if (down) {
                        throw new IllegalStateException("database down");
                    }
                    List<LogRecord> next = new ArrayList<>();
                    while (next.size() < limit && sorted.hasNext()) {
                        next.add(sorted.next());
                    }
                    return next;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public List<Shard> listShards() {
            return shards.keySet().stream().map(id -> new Shard(id, closed.getOrDefault(id, false))).toList();
        }

        @Override
        public List<LogRecord> read(long shard, long afterSeq, int limit, String project) {
            reads++;
            if (down) {
                throw new IllegalStateException("database down");
            }
            readsByShard.merge(shard, 1, Integer::sum);
            return shards.getOrDefault(shard, List.of()).stream().filter(record -> record.seq() > afterSeq)
                    .filter(record -> project == null || record.event().project().equals(project)).limit(limit).toList();
        }

        @Override
        public long localCommits() {
            return commits;
        }

        @Override
        public long localShard() {
            return localShard;
        }
    }
}
