package dev.llmforge.backend.nd4j;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The causal softmax of F32 attention scores, in Java on a host copy ({@link HostFloats}). On
 * libnd4j it took six ops over the (B, H, Tq, Tk) scores (the additive mask, max, subtract, exp,
 * sum, divide), half of the time in libnd4j's scalar {@code exp}; this one pass is about a third
 * of that (figures in the module README, causal attention). The mask needs no array: each row's max
 * and sum cover the keys its query sees, and the others are divided to 0. (The backward stays on
 * libnd4j: the same approach in Java measured no faster than its four ops.)
 *
 * <p>The exponentials are {@link FloatExp}'s.
 */
final class FloatCausalSoftmax {
    private FloatCausalSoftmax() {
    }

    /**
     * Softmax over the last axis of {@code scores} (B, H, Tq, Tk) in place, where query {@code i}
     * (at position {@code Tk - Tq + i}) sees keys {@code j <= Tk - Tq + i} and gets 0 for the others.
     * The exponentials and the division run as loops over the whole array, each row's max and
     * sum spread over the row by {@link Arrays#fill}: a loop over one row (64 keys in nanoGPT)
     * is too short for the JIT's vector loop and ran scalar, three times slower. Divided by the
     * sum, as libnd4j's sequence did: multiplying by its reciprocal instead moved the golden
     * GPT-2's parameters after ten AdamW steps out of the kit's tolerance (the key biases, whose
     * exact gradient is 0, follow the rounding noise).
     */
    static void forward(HostFloats h, INDArray scores, int tq, int tk) {
        float[] s = h.read(scores, 0);
        int n = Math.toIntExact(scores.length());
        int rows = n / tk;
        float[] perElement = h.take(1, n); // each row's max, then its sum (infinite for the keys it does not see)
        for (int r = 0; r < rows; r++) {
            int from = r * tk;
            int seen = seen(r, tq, tk);
            float max = HostFloats.max(s, from, seen);
            Arrays.fill(perElement, from, from + tk, max);
            Arrays.fill(s, from + seen, from + tk, max); // unseen scores, whatever they were (NaN, inf), give exp(0)
        }
        for (int i = 0; i < n; i++) {
            s[i] = FloatExp.ofNonPositive(s[i] - perElement[i]);
        }
        for (int r = 0; r < rows; r++) {
            int from = r * tk;
            int seen = seen(r, tq, tk);
            Arrays.fill(perElement, from, from + seen, HostFloats.sum(s, from, seen));
            Arrays.fill(perElement, from + seen, from + tk, Float.POSITIVE_INFINITY);
        }
        for (int i = 0; i < n; i++) {
            s[i] /= perElement[i];
        }
        HostFloats.write(s, scores);
    }

    /** The keys query row {@code r} sees. */
    private static int seen(int r, int tq, int tk) {
        return r % tq + tk - tq + 1;
    }
}
