package dev.llmforge.tokenizer;

import java.util.Arrays;

/**
 * Open-addressing map from an adjacent token pair (left id, right id) to the merge it allows, packed as a
 * long {@code (rank << 32) | mergedId} so that comparing packed values compares ranks first.
 */
final class PairTable {
    /** Packed value meaning "this pair does not merge"; larger than every real packed value. */
    static final long NO_MERGE = Long.MAX_VALUE;
    private static final long EMPTY = -1L;

    private long[] keys;
    private long[] values;
    private int shift;
    private int size;

    PairTable(int expectedPairs) {
        allocate(Integer.highestOneBit(Math.max(16, expectedPairs * 2 - 1)) << 1);
    }

    static long pack(int rank, int mergedId) {
        return ((long) rank << 32) | mergedId;
    }

    static int mergedId(long packed) {
        return (int) packed;
    }

    static int rank(long packed) {
        return (int) (packed >>> 32);
    }

    /** Adds the merge unless the pair already has one; returns whether it was added. */
    boolean putIfAbsent(int left, int right, int rank, int mergedId) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return false;
            }
            slot = (slot + 1) & (keys.length - 1);
        }
        keys[slot] = key;
        values[slot] = pack(rank, mergedId);
        if (++size > keys.length / 2) {
            grow();
        }
        return true;
    }

    /** The packed merge of {@code (left, right)}, or {@link #NO_MERGE}. */
    long get(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return values[slot];
            }
            if (k == EMPTY) {
                return NO_MERGE;
            }
            slot = (slot + 1) & (keys.length - 1);
        }
    }

    int size() {
        return size;
    }

    /** Visits every pair: {@code visitor.accept(left, right, packed)}. */
    void forEach(PairVisitor visitor) {
        for (int slot = 0; slot < keys.length; slot++) {
            if (keys[slot] != EMPTY) {
                visitor.accept((int) (keys[slot] >>> 32), (int) keys[slot], values[slot]);
            }
        }
    }

    /** Receives the entries of a {@link PairTable}. */
    interface PairVisitor {
        void accept(int left, int right, long packed);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, EMPTY);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int slot = slot(oldKeys[i]);
                while (keys[slot] != EMPTY) {
                    slot = (slot + 1) & (keys.length - 1);
                }
                keys[slot] = oldKeys[i];
                values[slot] = oldValues[i];
            }
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
