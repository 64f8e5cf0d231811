package dev.llmforge.tokenizer;

import java.util.HashMap;
import java.util.Map;

/** The distinct pieces of a training corpus as sequences of token ids, with their counts. */
final class Words {
    private final int[][] symbols;
    private final int[] lengths;
    private final long[] counts;
    private final int[] lastMerge;

    private Words(int[][] symbols, long[] counts) {
        this.symbols = symbols;
        this.counts = counts;
        this.lengths = new int[symbols.length];
        this.lastMerge = new int[symbols.length];
        for (int w = 0; w < symbols.length; w++) {
            lengths[w] = symbols[w].length;
        }
    }

    /** Pieces and their counts, as byte sequences (UTF-8, a lone surrogate as U+FFFD, as when encoding). */
    static Words of(Map<String, Long> pieceCounts) {
        int[][] symbols = new int[pieceCounts.size()][];
        long[] counts = new long[pieceCounts.size()];
        int w = 0;
        for (Map.Entry<String, Long> entry : pieceCounts.entrySet()) {
            String piece = entry.getKey();
            byte[] utf8 = new byte[Utf8.maxBytes(piece.length())];
            int length = Utf8.encode(piece, 0, piece.length(), utf8);
            symbols[w] = new int[length];
            for (int i = 0; i < length; i++) {
                symbols[w][i] = utf8[i] & 0xFF;
            }
            counts[w++] = entry.getValue();
        }
        return new Words(symbols, counts);
    }

    /** Every adjacent pair with its total count and the pieces that hold it. */
    Map<Long, BpeTrainer.Pair> pairs() {
        Map<Long, BpeTrainer.Pair> pairs = new HashMap<>();
        for (int w = 0; w < symbols.length; w++) {
            for (int i = 0; i + 1 < lengths[w]; i++) {
                BpeTrainer.Pair pair = pair(pairs, symbols[w][i], symbols[w][i + 1]);
                pair.count += counts[w];
                pair.words.add(w);
            }
        }
        return pairs;
    }

    /**
     * Replaces every occurrence of {@code pair} by {@code newId} in the pieces that hold it, adds those pieces to
     * the index of the pairs that now contain {@code newId}, and returns the change of count of each pair whose
     * count changed.
     *
     * @param mergeNumber a number distinct for each merge (1, 2, ...), to visit each piece once
     */
    Map<Long, long[]> merge(BpeTrainer.Pair pair, int newId, int mergeNumber, Map<Long, BpeTrainer.Pair> pairs) {
        Map<Long, long[]> changes = new HashMap<>();
        int[] candidates = pair.words.copyFrom(0);
        for (int w : candidates) {
            if (lastMerge[w] == mergeNumber || !contains(w, pair.left, pair.right)) {
                continue;
            }
            lastMerge[w] = mergeNumber;
            int[] s = symbols[w];
            addPairCounts(w, -counts[w], changes);
            int length = 0;
            for (int i = 0; i < lengths[w]; ) {
                if (i + 1 < lengths[w] && s[i] == pair.left && s[i + 1] == pair.right) {
                    s[length++] = newId;
                    i += 2;
                } else {
                    s[length++] = s[i++];
                }
            }
            lengths[w] = length;
            addPairCounts(w, counts[w], changes);
            for (int i = 0; i + 1 < length; i++) {
                if (s[i] == newId || s[i + 1] == newId) {
                    pair(pairs, s[i], s[i + 1]).words.add(w);
                }
            }
        }
        changes.values().removeIf(delta -> delta[0] == 0);
        return changes;
    }

    private boolean contains(int w, int left, int right) {
        for (int i = 0; i + 1 < lengths[w]; i++) {
            if (symbols[w][i] == left && symbols[w][i + 1] == right) {
                return true;
            }
        }
        return false;
    }

    private void addPairCounts(int w, long amount, Map<Long, long[]> changes) {
        for (int i = 0; i + 1 < lengths[w]; i++) {
            changes.computeIfAbsent(BpeTrainer.key(symbols[w][i], symbols[w][i + 1]), k -> new long[1])[0] += amount;
        }
    }

    private static BpeTrainer.Pair pair(Map<Long, BpeTrainer.Pair> pairs, int left, int right) {
        return pairs.computeIfAbsent(BpeTrainer.key(left, right), k -> new BpeTrainer.Pair(left, right));
    }
}
