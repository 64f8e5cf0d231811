package dev.llmforge.backend.djl;

import dev.llmforge.tensor.Shape;
import java.util.List;

/** Result shapes computed on the Java side, so wrapping a result costs no native call. */
final class ResultShapes {
    private ResultShapes() {
    }

    static Shape reduced(Shape in, int[] axes, boolean keepDim) {
        int[] dims = new int[keepDim ? in.rank() : in.rank() - axes.length];
        int j = 0;
        for (int i = 0; i < in.rank(); i++) {
            boolean reducedAxis = contains(axes, i);
            if (keepDim) {
                dims[j++] = reducedAxis ? 1 : in.dim(i);
            } else if (!reducedAxis) {
                dims[j++] = in.dim(i);
            }
        }
        return Shape.of(dims);
    }

    static Shape permuted(Shape in, int[] axes) {
        int[] dims = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            dims[i] = in.dim(axes[i]);
        }
        return Shape.of(dims);
    }

    /** {@code src[:axis] + indices + src[axis+1:]} (NumPy take). */
    static Shape gathered(Shape src, int axis, Shape indices) {
        int[] dims = new int[src.rank() - 1 + indices.rank()];
        int j = 0;
        for (int i = 0; i < axis; i++) {
            dims[j++] = src.dim(i);
        }
        for (int i = 0; i < indices.rank(); i++) {
            dims[j++] = indices.dim(i);
        }
        for (int i = axis + 1; i < src.rank(); i++) {
            dims[j++] = src.dim(i);
        }
        return Shape.of(dims);
    }

    static Shape concatenated(List<? extends dev.llmforge.spi.NativeTensor> xs, int axis) {
        int total = 0;
        for (var x : xs) {
            total += x.shape().dim(axis);
        }
        return xs.get(0).shape().with(axis, total);
    }

    static Shape matmul(Shape a, Shape b, boolean transposeA, boolean transposeB) {
        int m = a.dim(transposeA ? -1 : -2);
        int n = b.dim(transposeB ? -2 : -1);
        return Shape.broadcast("matmul", a.dropLast(2), b.dropLast(2)).append(m, n);
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
