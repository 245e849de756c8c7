package com.profilegrid.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the disk gives a durable write while a benchmark runs: every 10 ms, 4 KB appended to a file of its own and
 * forced to the disk ({@code fdatasync}), timed; a stall also counts the writes that would have been due while it
 * lasted (HdrHistogram's correction for coordinated omission), as the load counts its requests from when they were
 * due. Every durable acknowledgement (a PostgreSQL commit's WAL flush, the spool's fsync) waits on the same kind of
 * flush, so its tail is a floor under the ack latency's tail that no node setting lowers.
 */
final class FsyncProbe implements AutoCloseable {

    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long INTERVAL_MICROS = TimeUnit.NANOSECONDS.toMicros(INTERVAL_NANOS);
    private static final long MAX_FILE_BYTES = 64L << 20;

    private final Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private final Path file;
    private final Thread thread;
    private volatile boolean stopping;

    /** Starts probing with a file in {@code dir} (put it on the disk under test: the spool's, the database's). */
    FsyncProbe(Path dir) throws IOException {
        this.file = Files.createTempFile(dir, "fsync-probe", ".bin");
        this.thread = new Thread(this::run, "fsync-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        ByteBuffer block = ByteBuffer.allocateDirect(4096);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long next = System.nanoTime();
            while (!stopping) {
                if (channel.position() >= MAX_FILE_BYTES) {
                    channel.truncate(0);
                    channel.position(0);
                }
                block.clear();
                long start = System.nanoTime();
                while (block.hasRemaining()) {
                    channel.write(block);
                }
                channel.force(false);
                // a write wanted while this one stalled would have waited too: counted as the load's requests are
                // (from when they were due), so the figures compare with the ack latency's
                micros.recordValueWithExpectedInterval(Math.min(micros.getHighestTrackableValue(),
                        TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start)), INTERVAL_MICROS);
                next += INTERVAL_NANOS;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the probe and says what it measured: {@code fsync p50 0.9 / p99 31.2 / max 412.0 ms (2990)}. */
    String stopAndDescribe() throws InterruptedException, IOException {
        close();
        return String.format("fsync p50 %.1f / p99 %.1f / max %.1f ms (%d)", micros.getValueAtPercentile(50) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0, micros.getMaxValue() / 1000.0, micros.getTotalCount());
    }

    @Override
    public void close() throws InterruptedException, IOException {
        stopping = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        Files.deleteIfExists(file);
    }
}
