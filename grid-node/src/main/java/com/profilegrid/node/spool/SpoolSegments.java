package com.profilegrid.node.spool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** The record format of spool segment files: {@code [length:int][crc32c:int][payload]}. */
final class SpoolSegments {

    static final int HEADER = 8;
    /** No record is larger: a length beyond it is a torn or corrupt header. */
    static final int MAX_RECORD = 4 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SpoolSegments.class);

    record Record(byte[] payload, long next) {
    }

    private SpoolSegments() {
    }

    static void frame(ByteBuffer buffer, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    }

    /** Up to {@code max} whole, valid records between {@code from} and {@code limit}. */
    static List<Record> read(Path file, long from, long limit, int max) throws IOException {
        List<Record> records = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = from;
            while (records.size() < max && at < limit) {
                byte[] payload = readRecord(channel, at, limit);
                if (payload == null) {
                    throw new IOException("corrupt spool record in " + file + " at offset " + at);
                }
                at += HEADER + payload.length;
                records.add(new Record(payload, at));
            }
        }
        return records;
    }

    /**
     * Checks every record of a segment and cuts the file at the first one that is torn or corrupt.
     * Returns the size it keeps.
     */
    static long recover(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long at = 0;
            byte[] payload;
            while (at < size && (payload = readRecord(channel, at, size)) != null) {
                at += HEADER + payload.length;
            }
            if (at < size) {
                LOG.warn("Spool segment {}: cutting a torn or corrupt tail of {} bytes at offset {}", file, size - at, at);
                channel.truncate(at);
                channel.force(true);
            }
            return at;
        }
    }

    /** The payload of the record at {@code at}, or null when it is incomplete or fails its CRC. */
    private static byte[] readRecord(FileChannel channel, long at, long limit) throws IOException {
        if (limit - at < HEADER) {
            return null;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(channel, header, at);
        int length = header.getInt(0);
        int expectedCrc = header.getInt(4);
        if (length < 0 || length > MAX_RECORD || limit - at - HEADER < length) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, at + HEADER);
        CRC32C crc = new CRC32C();
        crc.update(payload.array());
        return (int) crc.getValue() == expectedCrc ? payload.array() : null;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException("unexpected end of spool segment");
            }
            at += read;
        }
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot fsync directory {} (not supported here)", dir, e);
        }
    }
}
