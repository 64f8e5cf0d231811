package dev.llmforge.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Byte-level BPE vocabulary and merge rules, and the merging of one pre-tokenized piece. Two rule sets exist:
 * <ul>
 *   <li>ranks (tiktoken): adjacent tokens merge when their concatenation is a token, lowest rank first, and a
 *       piece that is itself a token is taken whole;</li>
 *   <li>merges (GPT-2 {@code vocab.bpe}, Hugging Face, training): only the listed pairs merge, in list order.</li>
 * </ul>
 * Ties (equal ranks) go to the leftmost pair. Immutable and thread-safe.
 */
final class BpeModel {
    private static final int SMALL_PIECE_BYTES = 128;

    private final byte[][] tokenBytes;
    private final int[] byteToId = new int[256];
    private final PairTable merges;
    private final TokenLookup wholePieces;

    private BpeModel(byte[][] tokenBytes, PairTable merges, boolean wholePieceLookup) {
        this.tokenBytes = tokenBytes;
        this.merges = merges;
        TokenLookup lookup = new TokenLookup(tokenBytes);
        for (int b = 0; b < 256; b++) {
            byteToId[b] = lookup.find(new byte[] {(byte) b}, 0, 1);
            if (byteToId[b] < 0) {
                throw new IllegalArgumentException(String.format(
                        "a byte-level vocabulary needs a token for each of the 256 bytes; byte 0x%02X has none", b));
            }
        }
        this.wholePieces = wholePieceLookup ? lookup : null;
    }

    /**
     * tiktoken rules: the rank of a token is its id.
     *
     * @param tokenBytes bytes of each token by id; null for unassigned ids
     */
    static BpeModel fromRanks(byte[][] tokenBytes) {
        TokenLookup lookup = new TokenLookup(tokenBytes);
        PairTable pairs = new PairTable(tokenBytes.length * 2);
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] bytes = tokenBytes[id];
            if (bytes == null) {
                continue;
            }
            for (int split = 1; split < bytes.length; split++) {
                int left = lookup.find(bytes, 0, split);
                int right = left < 0 ? -1 : lookup.find(bytes, split, bytes.length);
                if (right >= 0) {
                    pairs.putIfAbsent(left, right, id, id);
                }
            }
        }
        return new BpeModel(tokenBytes, pairs, true);
    }

    /**
     * Merge-list rules.
     *
     * @param tokenBytes       bytes of each token by id; null for unassigned ids
     * @param merges           {left, right, merged} ids, highest priority first
     * @param wholePieceLookup whether a piece that is a token is taken whole (Hugging Face {@code ignore_merges})
     * @throws IllegalArgumentException if a pair is listed twice
     */
    static BpeModel fromMerges(byte[][] tokenBytes, List<int[]> merges, boolean wholePieceLookup) {
        PairTable pairs = new PairTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            int[] merge = merges.get(rank);
            if (!pairs.putIfAbsent(merge[0], merge[1], rank, merge[2])) {
                throw new IllegalArgumentException(String.format("merge %d (ids %d and %d) is listed twice",
                        rank, merge[0], merge[1]));
            }
        }
        return new BpeModel(tokenBytes, pairs, wholePieceLookup);
    }

    /** Number of ids of the vocabulary (unassigned ones included). */
    int size() {
        return tokenBytes.length;
    }

    /** Bytes of token {@code id}, or null if the id is unassigned. */
    byte[] bytes(int id) {
        return tokenBytes[id];
    }

    boolean takesWholePieces() {
        return wholePieces != null;
    }

    int idOfByte(int b) {
        return byteToId[b];
    }

    /** The merge rules as {left, right, merged} ids, in priority order (equal ranks: by left, then right id). */
    List<int[]> mergesInRankOrder() {
        List<long[]> entries = new ArrayList<>(merges.size());
        merges.forEach((left, right, packed) -> entries.add(new long[] {PairTable.rank(packed), left, right,
                PairTable.mergedId(packed)}));
        entries.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1])
                .thenComparingLong(e -> e[2]));
        List<int[]> result = new ArrayList<>(entries.size());
        for (long[] e : entries) {
            result.add(new int[] {(int) e[1], (int) e[2], (int) e[3]});
        }
        return result;
    }

    /** Appends the ids of the piece whose UTF-8 bytes are {@code bytes[0, n)}. */
    void encodePiece(byte[] bytes, int n, IntList out, EncodeScratch scratch) {
        if (n == 1) {
            out.add(byteToId[bytes[0] & 0xFF]);
            return;
        }
        if (wholePieces != null) {
            int id = wholePieces.find(bytes, 0, n);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        scratch.ensurePieceCapacity(n);
        if (n <= SMALL_PIECE_BYTES) {
            mergeByScanning(bytes, n, out, scratch);
        } else {
            mergeWithHeap(bytes, n, out, scratch);
        }
    }

    /** Quadratic but allocation-free and fast for short pieces: repeatedly merge the leftmost lowest-rank pair. */
    private void mergeByScanning(byte[] bytes, int n, IntList out, EncodeScratch scratch) {
        int[] ids = scratch.ids;
        long[] pairs = scratch.pairs;
        for (int i = 0; i < n; i++) {
            ids[i] = byteToId[bytes[i] & 0xFF];
        }
        for (int i = 0; i + 1 < n; i++) {
            pairs[i] = merges.get(ids[i], ids[i + 1]);
        }
        int length = n;
        while (length > 1) {
            long best = PairTable.NO_MERGE;
            int at = -1;
            for (int i = 0; i + 1 < length; i++) {
                if (pairs[i] < best) {
                    best = pairs[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            ids[at] = PairTable.mergedId(best);
            System.arraycopy(ids, at + 2, ids, at + 1, length - at - 2);
            if (length - at - 3 > 0) {
                System.arraycopy(pairs, at + 2, pairs, at + 1, length - at - 3);
            }
            length--;
            if (at > 0) {
                pairs[at - 1] = merges.get(ids[at - 1], ids[at]);
            }
            if (at + 1 < length) {
                pairs[at] = merges.get(ids[at], ids[at + 1]);
            }
        }
        out.addAll(ids, length);
    }

    /**
     * O(n log n) for long pieces: a linked list of tokens and a heap of (rank, position) candidates; an entry is
     * acted on only if the pair at its position still has that rank.
     */
    private void mergeWithHeap(byte[] bytes, int n, IntList out, EncodeScratch scratch) {
        int[] ids = scratch.ids;
        int[] next = scratch.next;
        int[] prev = scratch.prev;
        LongHeap heap = scratch.heap;
        heap.clear();
        for (int i = 0; i < n; i++) {
            ids[i] = byteToId[bytes[i] & 0xFF];
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            pushCandidate(heap, ids, i, i + 1);
        }
        while (!heap.isEmpty()) {
            long entry = heap.pop();
            int at = (int) entry;
            int right = next[at];
            if (ids[at] < 0 || right >= n) {
                continue;
            }
            long packed = merges.get(ids[at], ids[right]);
            if (packed == PairTable.NO_MERGE || PairTable.rank(packed) != (int) (entry >>> 32)) {
                continue;
            }
            ids[at] = PairTable.mergedId(packed);
            ids[right] = -1;
            next[at] = next[right];
            if (next[at] < n) {
                prev[next[at]] = at;
                pushCandidate(heap, ids, at, next[at]);
            }
            if (prev[at] >= 0) {
                pushCandidate(heap, ids, prev[at], at);
            }
        }
        for (int i = 0; i < n; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private void pushCandidate(LongHeap heap, int[] ids, int left, int right) {
        long packed = merges.get(ids[left], ids[right]);
        if (packed != PairTable.NO_MERGE) {
            heap.push(((long) PairTable.rank(packed) << 32) | left);
        }
    }
}
