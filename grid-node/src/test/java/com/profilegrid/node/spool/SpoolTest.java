package com.profilegrid.node.spool;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpoolTest {

    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void when_events_are_appended_then_they_read_back_in_order_across_segments() throws Exception {
        List<TrackingEvent> events = TestEvents.tracks("acme", "m", 2_000);
        try (Spool spool = new Spool(dir, 64 * MB, 64 * 1024)) {
            for (int i = 0; i < events.size(); i += 100) {
                spool.append(events.subList(i, i + 100)).get(10, TimeUnit.SECONDS);
            }
            assertThat(segmentFiles()).hasSizeGreaterThan(1);
            List<Spool.Entry> read = spool.read(spool.checkpoint(), 5_000);
            assertThat(read).extracting(Spool.Entry::event).containsExactlyElementsOf(events);
        }
    }

    @Test
    void when_reopened_then_unacknowledged_events_are_still_there_and_acknowledged_ones_are_gone() throws Exception {
        List<TrackingEvent> events = TestEvents.tracks("acme", "m", 300);
        try (Spool spool = new Spool(dir, 64 * MB, 16 * 1024)) {
            spool.append(events).get(10, TimeUnit.SECONDS);
            List<Spool.Entry> first = spool.read(spool.checkpoint(), 120);
            spool.acknowledge(first.get(first.size() - 1).next());
        }
        try (Spool reopened = new Spool(dir, 64 * MB, 16 * 1024)) {
            assertThat(reopened.hasPending()).isTrue();
            assertThat(reopened.read(reopened.checkpoint(), 1_000)).extracting(Spool.Entry::event)
                    .containsExactlyElementsOf(events.subList(120, 300));
        }
    }

    @Test
    void when_the_last_record_is_torn_by_a_crash_then_it_is_cut_off_and_the_rest_survives() throws Exception {
        List<TrackingEvent> events = TestEvents.tracks("acme", "m", 50);
        try (Spool spool = new Spool(dir, 64 * MB, 64 * MB)) {
            spool.append(events).get(10, TimeUnit.SECONDS);
        }
        Path segment = segmentFiles().get(0);
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 7); // a write that stopped half way through the last record
        }
        try (Spool reopened = new Spool(dir, 64 * MB, 64 * MB)) {
            assertThat(reopened.read(reopened.checkpoint(), 1_000)).extracting(Spool.Entry::event)
                    .containsExactlyElementsOf(events.subList(0, 49));
            reopened.append(List.of(TestEvents.track("acme", "after"))).get(10, TimeUnit.SECONDS);
            assertThat(reopened.read(reopened.checkpoint(), 1_000)).hasSize(50);
        }
    }

    @Test
    void when_a_record_fails_its_crc_then_it_and_what_follows_are_cut_off() throws Exception {
        List<TrackingEvent> events = TestEvents.tracks("acme", "m", 10);
        try (Spool spool = new Spool(dir, 64 * MB, 64 * MB)) {
            spool.append(events.subList(0, 5)).get(10, TimeUnit.SECONDS);
            spool.append(events.subList(5, 10)).get(10, TimeUnit.SECONDS);
        }
        Path segment = segmentFiles().get(0);
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'X'}), size - 3); // garbage inside the last record
        }
        try (Spool reopened = new Spool(dir, 64 * MB, 64 * MB)) {
            assertThat(reopened.read(reopened.checkpoint(), 1_000)).extracting(Spool.Entry::event)
                    .containsExactlyElementsOf(events.subList(0, 9));
        }
    }

    @Test
    void when_the_spool_is_full_then_appends_fail_and_nothing_is_written() throws Exception {
        try (Spool spool = new Spool(dir, 20 * 1024, 64 * MB)) {
            spool.append(TestEvents.tracks("acme", "a", 20)).get(10, TimeUnit.SECONDS);
            long before = spool.bytesOnDisk();

            assertThatThrownBy(() -> spool.append(TestEvents.tracks("acme", "b", 200)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SpoolFullException.class);
            assertThat(spool.bytesOnDisk()).isEqualTo(before);
            assertThat(spool.read(spool.checkpoint(), 1_000)).hasSize(20);
        }
    }

    @Test
    void when_everything_is_acknowledged_then_old_segments_are_deleted() throws Exception {
        try (Spool spool = new Spool(dir, 64 * MB, 8 * 1024)) {
            for (int i = 0; i < 10; i++) {
                spool.append(TestEvents.tracks("acme", "m" + i + "-", 50)).get(10, TimeUnit.SECONDS);
            }
            long before = spool.bytesOnDisk();
            List<Spool.Entry> all = spool.read(spool.checkpoint(), 10_000);
            spool.acknowledge(all.get(all.size() - 1).next());

            assertThat(spool.hasPending()).isFalse();
            assertThat(segmentFiles()).hasSize(1);
            assertThat(spool.bytesOnDisk()).isLessThan(before);
        }
    }

    private List<Path> segmentFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(path -> path.toString().endsWith(".seg")).sorted().toList();
        }
    }
}
