package dev.llmforge.nn;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;

/**
 * Where the tokens of one forward pass sit: their positions, and which keys each may attend to.
 *
 * @param positions I64 positions of the pass's T tokens: (T) shared by every row, or (B, T) per row
 *                  (padded batches); null for the contiguous positions {@code start .. start + T}
 * @param start     the first position when {@code positions} is null
 * @param mask      an additive attention mask broadcastable to (B, H, T, keys): 0 where a query may
 *                  see a key, -inf where not; null for plain causal attention over the keys
 */
public record TokenLayout(Tensor positions, int start, Tensor mask) {
    /** Whether the query in slot {@code query} of a row may see an earlier key slot {@code key}. */
    @FunctionalInterface
    interface Visible {
        boolean visible(int row, int query, int key);
    }

    /**
     * The layout of a pass without a cache. Without padding, or with right padding only, it is the
     * plain causal one (a real token then never sees padding, and its position is its index).
     */
    public static TokenLayout uncached(PaddingMask padding, TensorFactory tensors, DType dtype) {
        if (padding == null || padding.isRightPaddedOrFull()) {
            return new TokenLayout(null, 0, null);
        }
        int b = padding.batch();
        int t = padding.length();
        Tensor positions = tensors.of(padding.positions(null), b, t);
        return new TokenLayout(positions, 0, additiveMask(tensors, dtype, b, t, 0, t, (r, query, key) -> padding.isReal(r, key)));
    }

    /**
     * The layout of a packed pass without a cache: positions restart at every record, and a token
     * sees only the earlier tokens of its own record (a block-diagonal causal mask (B, 1, T, T)).
     * One record per row followed by padding is the plain causal layout.
     */
    public static TokenLayout packed(Segments segments, TensorFactory tensors, DType dtype) {
        if (segments.isOneRecordPerRow()) {
            return new TokenLayout(null, 0, null);
        }
        int b = segments.batch();
        int t = segments.length();
        Tensor positions = tensors.of(segments.positions(), b, t);
        return new TokenLayout(positions, 0, additiveMask(tensors, dtype, b, t, 0, t, segments::sameRecord));
    }

    /**
     * An additive mask (rows, 1, t, keys) for t queries whose own slots are {@code start .. start + t}:
     * query i of row r may see slot j if {@code j < start + i} and {@code visible} allows it, or j is
     * the query's own slot (so a padding query still has a key, and softmax stays finite: its
     * output is never read by a real token).
     */
    static Tensor additiveMask(TensorFactory tensors, DType dtype, int rows, int t, int start, int keys, Visible visible) {
        float[] m = new float[rows * t * keys];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < t; i++) {
                int self = start + i;
                for (int j = 0; j < keys; j++) {
                    boolean sees = j == self || (j < self && visible.visible(r, self, j));
                    m[(r * t + i) * keys + j] = sees ? 0 : Float.NEGATIVE_INFINITY;
                }
            }
        }
        Tensor mask = tensors.of(m, rows, 1, t, keys);
        return dtype == DType.F32 ? mask : mask.cast(dtype);
    }
}
