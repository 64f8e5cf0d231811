package dev.llmforge.tensor;

import java.util.Arrays;
import java.util.List;

/** An immutable list of dimension sizes. Rank 0 is a scalar; a zero dimension is allowed. */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
        this.dims = dims;
        this.numel = n;
    }

    public static Shape of(int... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[axis(axis)];
    }

    public int[] dims() {
        return dims.clone();
    }

    public long numel() {
        return numel;
    }

    /** Element count as an int, for host arrays. */
    public int size() {
        if (numel > Integer.MAX_VALUE) {
            throw new IllegalStateException("shape " + this + " has " + numel + " elements, too many for a Java array");
        }
        return (int) numel;
    }

    /** Normalises a possibly negative axis against this rank. */
    public int axis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this);
        }
        return a;
    }

    /** A new shape with dimension {@code axis} replaced by {@code size}. */
    public Shape with(int axis, int size) {
        int[] d = dims.clone();
        d[axis(axis)] = size;
        return new Shape(d);
    }

    /** The shape with the last {@code n} dims dropped. */
    public Shape dropLast(int n) {
        return Shape.of(Arrays.copyOf(dims, dims.length - n));
    }

    /** Concatenation of this shape's dims with {@code more}. */
    public Shape append(int... more) {
        int[] d = Arrays.copyOf(dims, dims.length + more.length);
        System.arraycopy(more, 0, d, dims.length, more.length);
        return new Shape(d);
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /**
     * NumPy broadcasting of two shapes.
     *
     * @throws IllegalArgumentException naming both shapes if they do not broadcast
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " cannot be broadcast together"
                        + " (dimension " + i + ": " + da + " vs " + db + ")");
            }
        }
        return new Shape(out);
    }

    // ---- result shapes of the primitives (shared by core's validation, the recorder and backends) ----

    /**
     * The shape of a reduction of {@code in} over {@code axes} (distinct, non-negative): each reduced
     * dim becomes 1 with {@code keepDim}, else it is dropped. {@code [2, 3, 4]} over {1} is
     * {@code [2, 1, 4]} or {@code [2, 4]}.
     *
     * @throws IllegalArgumentException naming the shape if an axis is out of range or repeated
     */
    public static Shape reduced(Shape in, int[] axes, boolean keepDim) {
        boolean[] gone = new boolean[in.rank()];
        for (int a : axes) {
            if (a < 0 || a >= in.rank() || gone[a]) {
                throw new IllegalArgumentException("reduction over axes " + Arrays.toString(axes) + " of shape " + in + ": axis " + a
                        + (a < 0 || a >= in.rank() ? " is out of range" : " is repeated"));
            }
            gone[a] = true;
        }
        int[] d = new int[keepDim ? in.rank() : in.rank() - axes.length];
        int j = 0;
        for (int i = 0; i < in.rank(); i++) {
            if (!gone[i]) {
                d[j++] = in.dims[i];
            } else if (keepDim) {
                d[j++] = 1;
            }
        }
        return new Shape(d);
    }

    /**
     * The shape of NumPy's {@code take(src, indices, axis)}: {@code src[:axis] + indices + src[axis+1:]}.
     *
     * @throws IllegalArgumentException naming the shape if {@code axis} is out of range
     */
    public static Shape gathered(Shape src, int axis, Shape indices) {
        if (axis < 0 || axis >= src.rank()) {
            throw new IllegalArgumentException("gather: axis " + axis + " is out of range for shape " + src);
        }
        int[] d = new int[src.rank() - 1 + indices.rank()];
        System.arraycopy(src.dims, 0, d, 0, axis);
        System.arraycopy(indices.dims, 0, d, axis, indices.rank());
        System.arraycopy(src.dims, axis + 1, d, axis + indices.rank(), src.rank() - axis - 1);
        return new Shape(d);
    }

    /**
     * The shape of {@code in} with its dims reordered: output dim i is input dim {@code axes[i]}
     * (distinct, non-negative).
     *
     * @throws IllegalArgumentException naming the shape if {@code axes} is not a permutation of its dims
     */
    public static Shape permuted(Shape in, int[] axes) {
        boolean[] seen = new boolean[in.rank()];
        boolean permutation = axes.length == in.rank();
        int[] d = new int[axes.length];
        for (int i = 0; i < axes.length && permutation; i++) {
            int a = axes[i];
            permutation = a >= 0 && a < in.rank() && !seen[a];
            if (permutation) {
                seen[a] = true;
                d[i] = in.dims[a];
            }
        }
        if (!permutation) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(axes) + " is not a permutation of the axes of " + in);
        }
        return new Shape(d);
    }


    /**
     * The shape of {@code parts} joined along {@code axis} (negative counts from the end): their
     * common shape with dim {@code axis} the sum of theirs.
     *
     * @throws IllegalArgumentException naming the shapes if there are none, or they differ in rank or in
     *     a dim other than {@code axis}
     */
    public static Shape concatenated(List<Shape> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        Shape first = parts.get(0);
        int a = first.axis(axis);
        int total = 0;
        for (Shape s : parts) {
            if (s.rank() != first.rank()) {
                throw new IllegalArgumentException("concat: ranks differ: " + first + " and " + s);
            }
            for (int i = 0; i < s.rank(); i++) {
                if (i != a && s.dims[i] != first.dims[i]) {
                    throw new IllegalArgumentException("concat along axis " + a + ": shapes " + first + " and " + s + " differ in dimension " + i);
                }
            }
            total += s.dims[a];
        }
        return first.with(a, total);
    }

    /**
     * The shape of a batched matrix product of the last two dims of {@code a} and {@code b}, each
     * transposed first if asked: {@code (..., M, K) @ (..., K, N) -> (..., M, N)}, the leading (batch)
     * dims broadcast.
     *
     * @throws IllegalArgumentException naming both shapes if either has rank below 2, the inner
     *     dims differ, or the batch dims do not broadcast
     */
    public static Shape matmul(Shape a, Shape b, boolean transposeA, boolean transposeB) {
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: both operands need rank >= 2, got " + a + " and " + b);
        }
        int m = a.dim(transposeA ? -1 : -2);
        int ka = a.dim(transposeA ? -2 : -1);
        int kb = b.dim(transposeB ? -1 : -2);
        int n = b.dim(transposeB ? -2 : -1);
        if (ka != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a + (transposeA ? "^T" : "") + " has " + ka + ", "
                    + b + (transposeB ? "^T" : "") + " has " + kb);
        }
        Shape batchA = a.dropLast(2);
        Shape batchB = b.dropLast(2);
        Shape batch;
        try {
            batch = broadcast("matmul", batchA, batchB);
        } catch (IllegalArgumentException e) {
            // build the message naming both operands only when it is needed (matmul is a hot path)
            batch = broadcast("matmul " + a + " @ " + b + ", batch dims", batchA, batchB);
        }
        return batch.append(m, n);
    }

    /** True if this shape can be broadcast (expanded) to {@code target}. */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            if (dims[i] != 1 && dims[i] != target.dims[i + off]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(s.dims, dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
