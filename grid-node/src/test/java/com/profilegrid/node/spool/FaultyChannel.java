package com.profilegrid.node.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel whose writes, fsyncs and truncations fail on demand, as on a full or failing disk: a failing write
 * first writes part of its buffer (a torn record), then throws.
 */
final class FaultyChannel extends FileChannel {

    /** What fails; shared by every channel a test's spool opens. */
    static final class Faults {
        volatile boolean writes;
        volatile boolean fsyncs;
        volatile boolean truncations;
    }

    private final FileChannel delegate;
    private final Faults faults;

    FaultyChannel(FileChannel delegate, Faults faults) {
        this.delegate = delegate;
        this.faults = faults;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (faults.writes) {
            ByteBuffer half = src.duplicate();
            half.limit(src.position() + src.remaining() / 2);
            delegate.write(half);
            throw new IOException("No space left on device (injected)");
        }
        return delegate.write(src);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (faults.fsyncs) {
            throw new IOException("Input/output error (injected fsync failure)");
        }
        delegate.force(metaData);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (faults.truncations) {
            throw new IOException("Input/output error (injected truncate failure)");
        }
        delegate.truncate(size);
        return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("the spool writes one buffer at a time");
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        throw new UnsupportedOperationException("the spool appends");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
