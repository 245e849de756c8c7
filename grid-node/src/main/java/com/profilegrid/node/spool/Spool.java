package com.profilegrid.node.spool;

import com.profilegrid.model.TrackingEvent;
import com.profilegrid.node.support.GroupCommitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The local recovery spool: where accepted events wait, durably, while the tracking log is slow or down.
 *
 * <p>Segment files of records {@code [length:int][crc32c:int][payload]}, appended by one group-commit
 * thread and fsync'd before any caller is told its events are safe. A checkpoint file records how far
 * the replayer has moved them into the log; fully replayed segments are deleted. On open, a torn or
 * corrupt tail (a crash mid-write) is detected by length and CRC and cut off: only records that were
 * never acknowledged can be there. Bounded: past {@code maxBytes} on disk, appends fail with
 * {@link SpoolFullException}.
 */
public final class Spool implements AutoCloseable {

    /** A place in the spool: a segment and a byte offset in it. */
    public record Position(long segment, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position other) {
            int bySegment = Long.compare(segment, other.segment);
            return bySegment != 0 ? bySegment : Long.compare(offset, other.offset);
        }
    }

    /** A spooled event and the position just after it. */
    public record Entry(TrackingEvent event, Position next) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String SUFFIX = ".seg";
    private static final String CHECKPOINT = "checkpoint";

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final SpoolCodec codec = new SpoolCodec();
    private final AtomicLong bytesOnDisk = new AtomicLong();
    private final GroupCommitter<TrackingEvent> writer;
    private final SegmentOpener opener;
    /** Segments left behind after a failed write that could not be cut back: where their good records end. */
    private final Map<Long, Long> sealedEnds = new ConcurrentHashMap<>();
    private FileChannel active;
    private long activeSegment;
    private long activeSize;
    private volatile Position durableEnd;
    private volatile Position checkpoint;

    /** Opens a segment file for appending; a test passes one whose writes fail on demand. */
    @FunctionalInterface
    interface SegmentOpener {
        FileChannel open(Path file) throws IOException;
    }

    public Spool(Path dir, long maxBytes, long segmentBytes) throws IOException {
        this(dir, maxBytes, segmentBytes, file -> FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    Spool(Path dir, long maxBytes, long segmentBytes, SegmentOpener opener) throws IOException {
        this.opener = opener;
        this.dir = Files.createDirectories(dir);
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        List<Long> segments = segments();
        for (long segment : segments) {
            bytesOnDisk.addAndGet(SpoolSegments.recover(segmentPath(segment)));
        }
        long last = segments.isEmpty() ? 0 : segments.get(segments.size() - 1);
        Position stored = readCheckpoint();
        long first = segments.isEmpty() ? last + 1 : segments.get(0);
        this.checkpoint = stored.compareTo(new Position(first, 0)) < 0 ? new Position(first, 0) : stored;
        openSegment(last + 1);
        this.writer = new GroupCommitter<>("profilegrid-spool-writer", 10_000, 200_000, this::commit);
        if (hasPending()) {
            LOG.warn("Spool {} holds events not yet in the tracking log; they will be replayed", dir);
        }
    }

    /** Appends events; the future completes once they are fsync'd. */
    public CompletableFuture<Void> append(List<TrackingEvent> events) {
        return writer.submit(events);
    }

    /** Runs on the writer thread only. */
    private void commit(List<TrackingEvent> events) throws IOException {
        List<byte[]> payloads = new ArrayList<>(events.size());
        long size = 0;
        for (TrackingEvent event : events) {
            byte[] payload = codec.encode(event);
            payloads.add(payload);
            size += SpoolSegments.HEADER + payload.length;
        }
        if (bytesOnDisk.get() + size > maxBytes) {
            throw new SpoolFullException("spool is full (" + bytesOnDisk.get() + " of " + maxBytes + " bytes)");
        }
        if (activeSize > 0 && activeSize + size > segmentBytes) {
            active.force(true);
            active.close();
            openSegment(activeSegment + 1);
        }
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size));
        payloads.forEach(payload -> SpoolSegments.frame(buffer, payload));
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                active.write(buffer);
            }
            active.force(false);
        } catch (IOException | RuntimeException e) {
            cutBack(e);
            throw e;
        }
        activeSize += size;
        bytesOnDisk.addAndGet(size);
        durableEnd = new Position(activeSegment, activeSize);
    }

    /**
     * After a failed or partial write or fsync (disk full, I/O error), puts the spool back at its last good end, so
     * that nothing after it (bytes no caller was told are safe) is ever read as a record: the segment is truncated
     * back; when even that fails, the segment is sealed at its good end and appends go on in a new one. On the next
     * start, a torn tail left in a sealed segment is cut off like any crash's; whole records there (written, but their
     * fsync failed) are replayed although their requests got 503, which is harmless: clients retry with the same
     * message id and the log keeps each id once.
     */
    private void cutBack(Exception cause) {
        try {
            active.truncate(activeSize);
            active.force(true);
            LOG.warn("Spool write failed; cut segment {} back to its last good end ({} bytes)", activeSegment,
                    activeSize, cause);
        } catch (IOException | RuntimeException e) {
            sealedEnds.put(activeSegment, activeSize);
            LOG.warn("Spool write failed and segment {} cannot be cut back ({}); sealing it at {} bytes and going on "
                    + "in a new segment", activeSegment, e.toString(), activeSize, cause);
            try {
                active.close();
            } catch (IOException closing) {
                LOG.debug("Cannot close spool segment {}", activeSegment, closing);
            }
            try {
                openSegment(activeSegment + 1);
            } catch (IOException opening) {
                LOG.warn("Cannot open a new spool segment; the next append tries again", opening);
            }
        }
    }

    /** Up to {@code max} durable events from {@code from} on, in the order they were appended. */
    public List<Entry> read(Position from, int max) throws IOException {
        List<Entry> entries = new ArrayList<>();
        Position end = durableEnd;
        Position at = from;
        while (entries.size() < max && at.compareTo(end) < 0) {
            Path file = segmentPath(at.segment());
            long limit = at.segment() == end.segment() ? end.offset()
                    : sealedEnds.getOrDefault(at.segment(), Files.exists(file) ? Files.size(file) : 0);
            if (at.offset() >= limit) {
                at = new Position(at.segment() + 1, 0);
                continue;
            }
            for (SpoolSegments.Record record : SpoolSegments.read(file, at.offset(), limit, max - entries.size())) {
                at = new Position(at.segment(), record.next());
                entries.add(new Entry(codec.decode(record.payload()), at));
            }
        }
        return entries;
    }

    /** Where the replayer stands: everything before it is in the tracking log. */
    public Position checkpoint() {
        return checkpoint;
    }

    /** Records that everything before {@code upTo} is in the log, and deletes segments left behind. */
    public void acknowledge(Position upTo) throws IOException {
        Path temp = dir.resolve(CHECKPOINT + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap((upTo.segment() + " " + upTo.offset()).getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temp, dir.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        checkpoint = upTo;
        for (long segment : segments()) {
            if (segment < upTo.segment() && segment != activeSegment) {
                Path file = segmentPath(segment);
                Long sealedEnd = sealedEnds.remove(segment);
                long size = sealedEnd != null ? sealedEnd : Files.size(file); // what bytesOnDisk counted of it
                Files.delete(file);
                bytesOnDisk.addAndGet(-size);
            }
        }
    }

    /** True while some durable event is not yet acknowledged as in the log. */
    public boolean hasPending() throws IOException {
        return !read(checkpoint, 1).isEmpty();
    }

    /** True while appends fit (the spool is below its bound by at least a segment's worth or a tenth of it). */
    public boolean hasRoom() {
        return freeBytes() > Math.min(segmentBytes, maxBytes / 10);
    }

    public long freeBytes() {
        return Math.max(0, maxBytes - bytesOnDisk.get());
    }

    public long bytesOnDisk() {
        return bytesOnDisk.get();
    }

    private void openSegment(long segment) throws IOException {
        active = opener.open(segmentPath(segment));
        activeSegment = segment;
        activeSize = active.size();
        durableEnd = new Position(segment, activeSize);
        SpoolSegments.fsyncDirectory(dir);
    }

    private Position readCheckpoint() throws IOException {
        Path file = dir.resolve(CHECKPOINT);
        if (!Files.exists(file)) {
            return new Position(0, 0);
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
    }

    private List<Long> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(SUFFIX))
                    .map(name -> Long.parseLong(name.substring(0, name.length() - SUFFIX.length())))
                    .sorted()
                    .toList();
        }
    }

    private Path segmentPath(long segment) {
        return dir.resolve(String.format("%020d%s", segment, SUFFIX));
    }

    @Override
    public void close() {
        writer.close();
        try {
            active.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close spool segment", e);
        }
    }
}
