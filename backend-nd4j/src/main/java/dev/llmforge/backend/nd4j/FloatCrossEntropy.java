package dev.llmforge.backend.nd4j;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The softmax cross-entropy's forward for F32, in Java on a host copy ({@link HostFloats}):
 * libnd4j's {@code log_softmax} alone cost more than this whole forward (its {@code exp} is a
 * scalar library loop), and picking and summing the targets' log-probabilities took three more
 * ops (figures in the module README). (The backward stays on libnd4j: the same in Java saved a
 * little time per step but moved the golden GPT-2's parameters after ten AdamW steps from 8.6e-5
 * to 1.1e-4 of PyTorch's, at the kit's tolerance: the key biases, whose exact gradient is 0,
 * follow the rounding noise.) Row max, {@link FloatExp} and row sums as in {@link FloatCausalSoftmax}, each
 * row's shift spread over the row so that the loops over elements run over the whole array.
 */
final class FloatCrossEntropy {
    private FloatCrossEntropy() {
    }

    /**
     * Writes {@code logp = x - max - log(sum(exp(x - max)))} for each row of {@code cols} elements
     * of {@code logits}, and returns {@code -mean(logp[kept])} (0 if nothing is kept), summed in
     * double; {@code kept} holds flat positions {@code row * cols + target}.
     */
    static double forward(HostFloats h, INDArray logits, int cols, long[] kept, INDArray logp) {
        float[] xs = h.read(logits, 0); // becomes logp
        int n = Math.toIntExact(logits.length());
        float[] shift = h.take(1, n); // each row's max, then max + log(sum)
        float[] e = h.take(2, n);
        for (int from = 0; from < n; from += cols) {
            Arrays.fill(shift, from, from + cols, HostFloats.max(xs, from, cols));
        }
        for (int i = 0; i < n; i++) {
            e[i] = FloatExp.ofNonPositive(xs[i] - shift[i]);
        }
        for (int from = 0; from < n; from += cols) {
            Arrays.fill(shift, from, from + cols, shift[from] + (float) Math.log(HostFloats.sum(e, from, cols)));
        }
        for (int i = 0; i < n; i++) {
            xs[i] -= shift[i];
        }
        HostFloats.write(xs, logp);
        double total = 0;
        for (long at : kept) {
            total += xs[Math.toIntExact(at)];
        }
        return kept.length == 0 ? 0 : -total / kept.length;
    }
}
