package dev.llmforge.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Learns a byte-level BPE vocabulary from text, minbpe style: the text is cut into pieces by a
 * {@link SplitPattern}, the distinct pieces are counted, and the most frequent adjacent pair is merged into a
 * new token until the vocabulary has the requested size. Ids 0-255 are the bytes, then one id per merge in
 * order, then the special tokens. Ties between equally frequent pairs go to the smaller (left id, right id), so
 * training is deterministic. Pair counts are updated incrementally (an index from each pair to the pieces that
 * hold it, and a priority queue), so a 4,096-token vocabulary on a megabyte of text takes about a second.
 */
public final class BpeTrainer {
    private static final Comparator<Candidate> MOST_FREQUENT_FIRST = Comparator
            .comparingLong((Candidate c) -> -c.count).thenComparingInt(c -> c.left).thenComparingInt(c -> c.right);

    private final int vocabSize;
    private final SplitPattern pattern;
    private final List<String> specialTokens;

    /**
     * @param vocabSize     total number of ids, special tokens included; at least 256 + their number
     * @param pattern       how text is cut into pieces (merges never cross pieces)
     * @param specialTokens special tokens, given the last ids
     */
    public BpeTrainer(int vocabSize, SplitPattern pattern, List<String> specialTokens) {
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.specialTokens = List.copyOf(specialTokens);
        if (vocabSize < 256 + this.specialTokens.size()) {
            throw new IllegalArgumentException(String.format("vocabSize must be at least 256 bytes + %d special "
                    + "tokens = %d, found %d", this.specialTokens.size(), 256 + this.specialTokens.size(), vocabSize));
        }
        this.vocabSize = vocabSize;
    }

    /** A trainer with the cl100k split pattern and {@code <|endoftext|>} as the only special token. */
    public BpeTrainer(int vocabSize) {
        this(vocabSize, SplitPattern.CL100K, List.of(SpecialTokens.END_OF_TEXT));
    }

    public BpeTokenizer train(String corpus) {
        return train(List.of(corpus));
    }

    /**
     * Trains on documents; pieces never span two documents. If the text runs out of pairs to merge, the
     * vocabulary is smaller than requested (special tokens then follow the last merge).
     */
    public BpeTokenizer train(Collection<String> documents) {
        Words words = Words.of(countPieces(documents));
        int mergesWanted = vocabSize - 256 - specialTokens.size();
        List<int[]> merges = new ArrayList<>(mergesWanted);
        byte[][] tokenBytes = new byte[256 + mergesWanted][];
        for (int b = 0; b < 256; b++) {
            tokenBytes[b] = new byte[] {(byte) b};
        }
        Map<Long, Pair> pairs = words.pairs();
        PriorityQueue<Candidate> queue = new PriorityQueue<>(MOST_FREQUENT_FIRST);
        pairs.values().forEach(pair -> queue.add(new Candidate(pair.count, pair.left, pair.right)));
        while (merges.size() < mergesWanted && !queue.isEmpty()) {
            Candidate best = queue.poll();
            Pair pair = pairs.get(key(best.left, best.right));
            if (pair == null || pair.count != best.count) {
                continue; // outdated entry: a fresher one with the current count is in the queue
            }
            int newId = 256 + merges.size();
            merges.add(new int[] {pair.left, pair.right, newId});
            tokenBytes[newId] = concat(tokenBytes[pair.left], tokenBytes[pair.right]);
            Map<Long, long[]> changes = words.merge(pair, newId, merges.size(), pairs);
            changes.forEach((key, delta) -> {
                Pair changed = pairs.get(key);
                changed.count += delta[0];
                if (changed.count == 0) {
                    pairs.remove(key);
                } else if (delta[0] > 0) {
                    queue.add(new Candidate(changed.count, changed.left, changed.right));
                }
            });
        }
        byte[][] usedTokens = Arrays.copyOf(tokenBytes, 256 + merges.size());
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String special : specialTokens) {
            specials.put(special, usedTokens.length + specials.size());
        }
        return new BpeTokenizer(BpeModel.fromMerges(usedTokens, merges, false), pattern, SpecialTokens.of(specials));
    }

    private Map<String, Long> countPieces(Collection<String> documents) {
        Map<String, Long> counts = new HashMap<>();
        for (String document : documents) {
            for (int start = 0; start < document.length(); ) {
                int end = pattern.nextEnd(document, start, document.length());
                counts.merge(document.substring(start, end), 1L, Long::sum);
                start = end;
            }
        }
        return new TreeMap<>(counts);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    static long key(int left, int right) {
        return ((long) left << 32) | right;
    }

    /** A queue entry: the count a pair had when it was queued. */
    private record Candidate(long count, int left, int right) {
    }

    /** An adjacent pair of ids, its total count, and the distinct pieces that may hold it. */
    static final class Pair {
        final int left;
        final int right;
        long count;
        final IntList words = new IntList(4);

        Pair(int left, int right) {
            this.left = left;
            this.right = right;
        }
    }
}
