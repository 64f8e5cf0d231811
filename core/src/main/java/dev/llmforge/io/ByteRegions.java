package dev.llmforge.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Little-endian read-only windows into a file or an in-memory buffer at {@code long} offsets. A file
 * is mapped one window at a time, so files over 2 GiB are read in pieces; one window (one tensor)
 * is at most {@link #MAX_WINDOW_BYTES}, the most a Java {@link ByteBuffer} holds.
 */
final class ByteRegions {
    static final long MAX_WINDOW_BYTES = Integer.MAX_VALUE;

    private final String source;
    private final FileChannel channel;
    private final ByteBuffer memory;
    private final long size;

    private ByteRegions(String source, FileChannel channel, ByteBuffer memory, long size) {
        this.source = source;
        this.channel = channel;
        this.memory = memory;
        this.size = size;
    }

    /** Windows into an open file (which the caller closes). */
    static ByteRegions of(FileChannel channel, String source) throws IOException {
        return new ByteRegions(source, channel, null, channel.size());
    }

    /** Windows into the remaining bytes of {@code bytes}. */
    static ByteRegions of(ByteBuffer bytes, String source) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new ByteRegions(source, null, b, b.remaining());
    }

    long size() {
        return size;
    }

    /**
     * The {@code length} bytes at {@code offset}.
     *
     * @param what the content, for the message when it is larger than one window (e.g. "tensor 'wte.weight'")
     */
    ByteBuffer window(long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new CheckpointFormatException(source + ": " + what + " at bytes [" + offset + ", " + (offset + length) + ") runs past the end ("
                    + size + " bytes)");
        }
        if (length > MAX_WINDOW_BYTES) {
            throw new CheckpointFormatException(source + ": " + what + " has " + length + " bytes; llmforge reads tensors of up to "
                    + MAX_WINDOW_BYTES + " bytes (2 GiB, the most one Java buffer holds) from files of any size");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (memory != null) {
            return memory.duplicate().position((int) offset).limit((int) (offset + length)).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (!channel.isOpen()) {
            throw new IllegalStateException(source + " is closed");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
