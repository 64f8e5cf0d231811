package dev.llmforge.tokenizer;

/** Per-thread working memory for encoding: buffers that grow as needed, a merge heap and the piece cache. */
final class EncodeScratch {
    /** Buffers grown past this for one huge piece are dropped after the text is encoded. */
    private static final int MAX_KEPT_CAPACITY = 1 << 16;

    final ChunkCache cache = new ChunkCache(1 << 16);
    final LongHeap heap = new LongHeap();
    byte[] utf8 = new byte[256];
    int[] ids = new int[256];
    long[] pairs = new long[256];
    int[] next = new int[256];
    int[] prev = new int[256];

    byte[] utf8(int capacity) {
        if (utf8.length < capacity) {
            utf8 = new byte[Math.max(capacity, 2 * utf8.length)];
        }
        return utf8;
    }

    /** Drops buffers that one huge piece made large, so a thread does not keep them. */
    void shrink() {
        if (ids.length > MAX_KEPT_CAPACITY) {
            ids = new int[256];
            pairs = new long[256];
            next = new int[256];
            prev = new int[256];
        }
        if (utf8.length > MAX_KEPT_CAPACITY) {
            utf8 = new byte[256];
        }
    }

    /** Makes {@link #ids}, {@link #pairs}, {@link #next} and {@link #prev} hold at least {@code n} entries. */
    void ensurePieceCapacity(int n) {
        if (ids.length < n) {
            int capacity = Math.max(n, 2 * ids.length);
            ids = new int[capacity];
            pairs = new long[capacity];
            next = new int[capacity];
            prev = new int[capacity];
        }
    }
}
