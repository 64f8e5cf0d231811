package dev.llmforge.tokenizer;

import java.util.Arrays;

/** Open-addressing map from a token's bytes to its id, over a table of token bytes indexed by id. */
final class TokenLookup {
    private final byte[][] tokenBytes;
    private final int[] slots; // id + 1, 0 = empty

    /**
     * Indexes every non-null entry of {@code tokenBytes}.
     *
     * @throws IllegalArgumentException if two ids have the same bytes
     */
    TokenLookup(byte[][] tokenBytes) {
        this.tokenBytes = tokenBytes;
        int count = 0;
        for (byte[] bytes : tokenBytes) {
            if (bytes != null) {
                count++;
            }
        }
        slots = new int[Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1];
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] bytes = tokenBytes[id];
            if (bytes != null) {
                int slot = hash(bytes, 0, bytes.length) & (slots.length - 1);
                while (slots[slot] != 0) {
                    if (Arrays.equals(tokenBytes[slots[slot] - 1], bytes)) {
                        throw new IllegalArgumentException(String.format("ids %d and %d have the same bytes %s",
                                slots[slot] - 1, id, Arrays.toString(bytes)));
                    }
                    slot = (slot + 1) & (slots.length - 1);
                }
                slots[slot] = id + 1;
            }
        }
    }

    /** Id of the token whose bytes are {@code bytes[from, to)}, or -1. */
    int find(byte[] bytes, int from, int to) {
        int mask = slots.length - 1;
        for (int slot = hash(bytes, from, to) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
            byte[] candidate = tokenBytes[slots[slot] - 1];
            if (Arrays.equals(candidate, 0, candidate.length, bytes, from, to)) {
                return slots[slot] - 1;
            }
        }
        return -1;
    }

    private static int hash(byte[] bytes, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + bytes[i];
        }
        return h ^ (h >>> 15);
    }
}
