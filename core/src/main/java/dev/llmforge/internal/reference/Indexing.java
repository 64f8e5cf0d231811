package dev.llmforge.internal.reference;

import dev.llmforge.tensor.Shape;

/** Row-major index arithmetic for broadcasting, permuting and reducing. */
final class Indexing {
    private Indexing() {
    }

    /**
     * For each element of {@code out} (in row-major order), the offset of the element of an input
     * of shape {@code in} that broadcasts to it.
     */
    static int[] broadcastOffsets(Shape in, Shape out) {
        int rank = out.rank();
        int[] strides = new int[rank];
        long[] inStrides = in.strides();
        int lead = rank - in.rank();
        for (int i = 0; i < in.rank(); i++) {
            strides[i + lead] = in.dim(i) == 1 ? 0 : (int) inStrides[i];
        }
        return offsets(out, strides);
    }

    /** Offsets, for each element of {@code out}, under the given per-dim input strides. */
    static int[] offsets(Shape out, int[] strides) {
        int n = out.size();
        int[] result = new int[n];
        int rank = out.rank();
        int[] counter = new int[rank];
        int offset = 0;
        for (int i = 0; i < n; i++) {
            result[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                offset += strides[d];
                if (counter[d] < out.dim(d)) {
                    break;
                }
                offset -= strides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return result;
    }

    /** For each input element, the offset of the output element it reduces into. */
    static int[] reductionTargets(Shape in, int[] axes) {
        boolean[] reduced = new boolean[in.rank()];
        for (int a : axes) {
            reduced[a] = true;
        }
        int[] strides = new int[in.rank()];
        int acc = 1;
        for (int d = in.rank() - 1; d >= 0; d--) {
            if (!reduced[d]) {
                strides[d] = acc;
                acc *= in.dim(d);
            }
        }
        return offsets(in, strides);
    }
}
