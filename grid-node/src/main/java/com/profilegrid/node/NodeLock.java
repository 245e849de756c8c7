package com.profilegrid.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Proof that no other process runs as this node: an exclusive lock on {@code <spool dir>/node.lock}, taken before the
 * node touches its log writer or its spool and held until it stops. A writer is named by its node's address, and a
 * starting node closes the shards an earlier run under that name left open and replays its spool; it may do so only
 * once it holds this lock, or it would close a running node's shard under it. The operating system releases the lock
 * when the process dies, however it dies, so a killed node never blocks its restart. The file names its holder, so a
 * second start can say which process is running.
 */
final class NodeLock implements AutoCloseable {

    /** A node already runs with this address and data directory. */
    static final class AlreadyRunning extends IllegalArgumentException {
        AlreadyRunning(String message) {
            super(message);
        }
    }

    private static final String FILE = "node.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private NodeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of the node whose files are in {@code dir}, or throws {@link AlreadyRunning} naming the holder. */
    static NodeLock acquire(Path dir, String writerName, int httpPort) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another node in this JVM
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new AlreadyRunning("a ProfileGrid node is already running as writer " + writerName + " with data "
                        + "directory " + dir.getParent().getParent() + " (" + (holder.isEmpty() ? "holder unknown" : holder)
                        + "); stop it first, or start this node with another --hazelcast-port (a tracking node: --http-port) or --data-dir. Nothing "
                        + "was changed.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", HTTP port " + httpPort
                    + ", started " + Instant.now()).getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new NodeLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the failure being reported matters more
            }
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
