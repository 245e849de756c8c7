package com.profilegrid.node.spool;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A failed or partial spool write or fsync never cuts acknowledged records: the failed append is refused (its callers
 * get an error, so ingest answers 503), the spool goes back to its last good end, later appends are acknowledged and
 * read back, and after a restart exactly the acknowledged events are there, in order.
 */
class SpoolFaultTest {

    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    private final FaultyChannel.Faults faults = new FaultyChannel.Faults();

    private Spool faultySpool() throws Exception {
        return new Spool(dir, 64 * MB, 64 * MB, file -> new FaultyChannel(FileChannel.open(file,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND), faults));
    }

    @Test
    void when_a_write_or_an_fsync_fails_then_the_spool_is_cut_back_and_keeps_every_acknowledged_event() throws Exception {
        List<TrackingEvent> events = TestEvents.tracks("acme", "m", 500);
        List<TrackingEvent> acked = new ArrayList<>();
        try (Spool spool = faultySpool()) {
            append(spool, events.subList(0, 100), acked);
            faults.writes = true;
            assertFails(spool, events.subList(100, 200));
            faults.writes = false;
            append(spool, events.subList(200, 300), acked);
            faults.fsyncs = true;
            assertFails(spool, events.subList(300, 400));
            faults.fsyncs = false;
            append(spool, events.subList(400, 500), acked);

            assertThat(spool.read(spool.checkpoint(), 1_000)).extracting(Spool.Entry::event).containsExactlyElementsOf(acked);
        }
        try (Spool reopened = new Spool(dir, 64 * MB, 64 * MB)) {
            assertThat(reopened.read(reopened.checkpoint(), 1_000)).extracting(Spool.Entry::event)
                    .containsExactlyElementsOf(acked);
        }
    }

    @Test
    void when_a_torn_write_cannot_be_cut_back_then_appends_go_on_in_a_new_segment() throws Exception {
        List<TrackingEvent> events = TestEvents.tracks("acme", "t", 300);
        List<TrackingEvent> acked = new ArrayList<>();
        try (Spool spool = faultySpool()) {
            append(spool, events.subList(0, 100), acked);
            faults.writes = true;
            faults.truncations = true;
            assertFails(spool, events.subList(100, 200));
            faults.writes = false;
            faults.truncations = false;
            append(spool, events.subList(200, 300), acked);

            assertThat(spool.read(spool.checkpoint(), 1_000)).extracting(Spool.Entry::event).containsExactlyElementsOf(acked);
            List<Spool.Entry> all = spool.read(spool.checkpoint(), 1_000);
            spool.acknowledge(all.get(all.size() - 1).next());
            assertThat(spool.bytesOnDisk()).isGreaterThanOrEqualTo(0);
        }
        try (Spool reopened = new Spool(dir, 64 * MB, 64 * MB)) {
            assertThat(reopened.hasPending()).isFalse();
        }
    }

    private static void append(Spool spool, List<TrackingEvent> batch, List<TrackingEvent> acked) throws Exception {
        spool.append(batch).get(10, TimeUnit.SECONDS);
        acked.addAll(batch);
    }

    private static void assertFails(Spool spool, List<TrackingEvent> batch) {
        assertThatThrownBy(() -> spool.append(batch).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }
}
