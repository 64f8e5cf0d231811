package dev.llmforge.tokenizer;

import java.util.Arrays;

/**
 * A bounded map from short pre-tokenized pieces to their token ids, keyed by the chars of a range of the input
 * so that a hit allocates nothing. When it holds {@code maxEntries} pieces it is emptied and refilled. Not
 * thread-safe: each thread uses its own.
 */
final class ChunkCache {
    /** Pieces longer than this are not cached. */
    static final int MAX_PIECE_CHARS = 32;

    private final char[][] keys;
    private final int[][] values;
    private final int[] hashes;
    private final int maxEntries;
    private int size;

    ChunkCache(int slotsPowerOfTwo) {
        keys = new char[slotsPowerOfTwo][];
        values = new int[slotsPowerOfTwo][];
        hashes = new int[slotsPowerOfTwo];
        maxEntries = slotsPowerOfTwo / 2;
    }

    static int hash(String text, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + text.charAt(i);
        }
        return h ^ (h >>> 16);
    }

    /** Ids cached for {@code text[from, to)}, or null. */
    int[] get(String text, int from, int to, int hash) {
        int mask = keys.length - 1;
        for (int slot = hash & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            if (hashes[slot] == hash && sameChars(keys[slot], text, from, to)) {
                return values[slot];
            }
        }
        return null;
    }

    void put(String text, int from, int to, int hash, int[] ids) {
        if (size >= maxEntries) {
            Arrays.fill(keys, null);
            Arrays.fill(values, null);
            size = 0;
        }
        int mask = keys.length - 1;
        int slot = hash & mask;
        while (keys[slot] != null) {
            slot = (slot + 1) & mask;
        }
        char[] key = new char[to - from];
        text.getChars(from, to, key, 0);
        keys[slot] = key;
        values[slot] = ids;
        hashes[slot] = hash;
        size++;
    }

    private static boolean sameChars(char[] key, String text, int from, int to) {
        if (key.length != to - from) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (key[i] != text.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }
}
