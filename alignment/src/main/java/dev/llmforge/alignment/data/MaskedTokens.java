package dev.llmforge.alignment.data;

import java.util.Arrays;

/**
 * Token ids and, for each position, whether its id is a label the loss covers ({@code lossMask[i]}: the model is
 * trained to predict {@code ids[i]} from {@code ids[0..i-1]}), as Hugging Face's {@code labels} (an id, or -100).
 * The mask is by position: an id that equals the padding id (GPT-2 pads with its end-of-text token) keeps its
 * label. The arrays are not copied: do not modify them.
 *
 * @param ids      the token ids
 * @param lossMask whether each id is a label
 */
public record MaskedTokens(int[] ids, boolean[] lossMask) {
    public MaskedTokens {
        if (ids.length != lossMask.length) {
            throw new IllegalArgumentException(String.format(
                    "ids and lossMask must have the same length, found %d and %d", ids.length, lossMask.length));
        }
    }

    /** Number of ids. */
    public int length() {
        return ids.length;
    }

    /** Number of labels the loss covers (the first id is never predicted, so it does not count). */
    public int labelCount() {
        int count = 0;
        for (int i = 1; i < lossMask.length; i++) {
            if (lossMask[i]) {
                count++;
            }
        }
        return count;
    }

    /**
     * The model's inputs for next-token training, {@code ids[0..n-2]}, followed by {@code padId} up to
     * {@code length} — the row of {@code x} in {@code model.forward(x, y, ignoreIndex)}.
     *
     * @throws IllegalArgumentException if the inputs are longer than {@code length}
     */
    public int[] inputs(int length, int padId) {
        int[] row = new int[checkedRowLength(length)];
        System.arraycopy(ids, 0, row, 0, Math.max(ids.length - 1, 0));
        Arrays.fill(row, Math.max(ids.length - 1, 0), length, padId);
        return row;
    }

    /**
     * The targets matching {@link #inputs}: at position t, {@code ids[t+1]} if it is a label, else
     * {@code ignoreIndex}; padding positions are {@code ignoreIndex} whatever the padding id.
     *
     * @throws IllegalArgumentException if the targets are longer than {@code length}
     */
    public int[] targets(int length, int ignoreIndex) {
        int[] row = new int[checkedRowLength(length)];
        Arrays.fill(row, ignoreIndex);
        for (int t = 0; t + 1 < ids.length; t++) {
            if (lossMask[t + 1]) {
                row[t] = ids[t + 1];
            }
        }
        return row;
    }

    private int checkedRowLength(int length) {
        if (ids.length - 1 > length) {
            throw new IllegalArgumentException(String.format("a row of %d positions cannot hold the %d inputs of "
                    + "%d ids", length, ids.length - 1, ids.length));
        }
        return length;
    }
}
