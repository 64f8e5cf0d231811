package dev.llmforge.training.data;

import dev.llmforge.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * A memory-mapped file of token ids (little-endian, no header), nanoGPT's {@code train.bin} format
 * when the width is uint16. Files larger than 2 GB are mapped in segments.
 */
public final class TokenDataset {
    private static final long SEGMENT_BYTES = 1L << 30;

    private final Path path;
    private final TokenWidth width;
    private final long size;
    private final List<MappedByteBuffer> segments;
    private volatile String checksum; // computed on first use; a race computes the same value twice

    private TokenDataset(Path path, TokenWidth width, long size, List<MappedByteBuffer> segments) {
        this.path = path;
        this.width = width;
        this.size = size;
        this.segments = segments;
    }

    /** Maps {@code path} read-only. */
    public static TokenDataset open(Path path, TokenWidth width) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("token file " + path + " does not exist (run `llmforge prepare` first)");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long bytes = ch.size();
            if (bytes % width.bytes() != 0) {
                throw new IOException("token file " + path + " has " + bytes + " bytes, not a multiple of " + width.bytes()
                        + " (" + width + "): wrong width or a truncated file");
            }
            if (bytes == 0) {
                throw new IOException("token file " + path + " is empty");
            }
            List<MappedByteBuffer> segments = new ArrayList<>();
            for (long pos = 0; pos < bytes; pos += SEGMENT_BYTES) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(SEGMENT_BYTES, bytes - pos));
                m.order(ByteOrder.LITTLE_ENDIAN);
                segments.add(m);
            }
            return new TokenDataset(path, width, bytes / width.bytes(), segments);
        }
    }

    /** Writes ids atomically (temporary file, then move). Every id must fit the width. */
    public static void write(Path path, int[] ids, TokenWidth width) throws IOException {
        long limit = width == TokenWidth.UINT16 ? 65535 : 0xffffffffL;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(ids.length * width.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id > limit) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " does not fit " + width);
            }
            if (width == TokenWidth.UINT16) {
                buf.putShort((short) id);
            } else {
                buf.putInt(id);
            }
        }
        AtomicFiles.write(path, buf.array());
    }

    public Path path() {
        return path;
    }

    public TokenWidth width() {
        return width;
    }

    /** Number of tokens. */
    public long size() {
        return size;
    }

    /**
     * The CRC-32C of the file's bytes, as 8 hex digits: what a checkpoint records to recognise its data. Read once from the
     * mapping (a resumed run compares it and records it again) and kept.
     */
    public String checksum() {
        String sum = checksum;
        if (sum == null) {
            CRC32C crc = new CRC32C();
            for (MappedByteBuffer segment : segments) {
                crc.update(segment.duplicate());
            }
            sum = String.format(Locale.ROOT, "%08x", crc.getValue());
            checksum = sum;
        }
        return sum;
    }

    /** The id at {@code index}. */
    public int get(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("token " + index + " of " + size + " in " + path);
        }
        long byteOffset = index * width.bytes();
        MappedByteBuffer seg = segments.get((int) (byteOffset / SEGMENT_BYTES));
        int pos = (int) (byteOffset % SEGMENT_BYTES);
        return width == TokenWidth.UINT16 ? seg.getShort(pos) & 0xffff : seg.getInt(pos);
    }

    /**
     * Checks in one pass over the file that every id is below {@code vocabSize}, so a file from another
     * tokenizer is refused when the data is opened instead of failing at a random window mid-run.
     */
    public void requireIdsBelow(int vocabSize) throws IOException {
        int chunkTokens = 1 << 16;
        long index = 0;
        for (MappedByteBuffer segment : segments) {
            ByteBuffer view = segment.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int[] ids = new int[chunkTokens];
            while (view.hasRemaining()) {
                int n = Math.min(chunkTokens, view.remaining() / width.bytes());
                if (width == TokenWidth.UINT16) {
                    for (int i = 0; i < n; i++) {
                        ids[i] = view.getShort() & 0xffff;
                    }
                } else {
                    view.asIntBuffer().get(ids, 0, n);
                    view.position(view.position() + n * 4);
                }
                for (int i = 0; i < n; i++) {
                    if (ids[i] < 0 || ids[i] >= vocabSize) {
                        long at = index + i;
                        throw new IOException(String.format(Locale.ROOT, "token file %s: id %s at token %,d (byte offset %,d) is not below the"
                                + " vocabulary size %,d: the file was made with another tokenizer, or is damaged", path,
                                Integer.toUnsignedString(ids[i]), at, at * width.bytes(), vocabSize));
                    }
                }
                index += n;
            }
        }
    }

    /** Copies ids {@code [start, start + out.length)} into {@code out}. */
    public void read(long start, long[] out, int offset, int length) {
        for (int i = 0; i < length; i++) {
            out[offset + i] = get(start + i);
        }
    }
}
