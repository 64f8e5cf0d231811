package dev.llmforge.spi;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The primitives as a composed fused op uses them: each call runs one kernel and returns its
 * result, which is a temporary (closed when this closes) unless {@link #result} or {@link #keep}
 * hands it to the caller. A number where a tensor is expected is a rank-0 tensor of the other
 * operand's dtype ({@code full}), so a formula reads as one: {@code add(variance, eps)}.
 */
final class Composition implements AutoCloseable {
    private final Kernels k;
    private final List<NativeTensor> temporaries = new ArrayList<>();

    Composition(Kernels kernels) {
        this.k = kernels;
    }

    private NativeTensor temp(NativeTensor x) {
        temporaries.add(x);
        return x;
    }

    // ---- results ---------------------------------------------------------------------------------

    /** A fused forward's result: {@code output} and {@code saved} are the caller's, not temporaries. */
    FusedKernels.Result result(NativeTensor output, NativeTensor... saved) {
        return new FusedKernels.Result(keep(output), List.of(keepAll(saved)));
    }

    /** Hands {@code x} to the caller instead of closing it; returns it. */
    NativeTensor keep(NativeTensor x) {
        temporaries.removeIf(t -> t == x);
        return x;
    }

    /** Hands {@code xs} (nulls allowed) to the caller instead of closing them; returns them. */
    NativeTensor[] keepAll(NativeTensor... xs) {
        for (NativeTensor x : xs) {
            keep(x);
        }
        return xs;
    }

    // ---- the primitives ------------------------------------------------------------------------------

    /** A rank-0 tensor of {@code value} in {@code like}'s dtype and device. */
    NativeTensor scalar(double value, NativeTensor like) {
        return temp(k.full(Shape.scalar(), value, like.dtype(), like.device()));
    }

    NativeTensor add(NativeTensor a, NativeTensor b) {
        return temp(k.add(a, b));
    }

    NativeTensor add(NativeTensor a, double b) {
        return add(a, scalar(b, a));
    }

    NativeTensor sub(NativeTensor a, NativeTensor b) {
        return temp(k.sub(a, b));
    }

    NativeTensor sub(NativeTensor a, double b) {
        return sub(a, scalar(b, a));
    }

    NativeTensor mul(NativeTensor a, NativeTensor b) {
        return temp(k.mul(a, b));
    }

    NativeTensor mul(NativeTensor a, double b) {
        return mul(a, scalar(b, a));
    }

    NativeTensor div(NativeTensor a, NativeTensor b) {
        return temp(k.div(a, b));
    }

    NativeTensor maximum(NativeTensor a, NativeTensor b) {
        return temp(k.maximum(a, b));
    }

    NativeTensor neg(NativeTensor x) {
        return temp(k.neg(x));
    }

    NativeTensor exp(NativeTensor x) {
        return temp(k.exp(x));
    }

    NativeTensor log(NativeTensor x) {
        return temp(k.log(x));
    }

    NativeTensor sqrt(NativeTensor x) {
        return temp(k.sqrt(x));
    }

    NativeTensor tanh(NativeTensor x) {
        return temp(k.tanh(x));
    }

    NativeTensor erf(NativeTensor x) {
        return temp(k.erf(x));
    }

    NativeTensor reciprocal(NativeTensor x) {
        return temp(k.reciprocal(x));
    }

    NativeTensor eq(NativeTensor a, NativeTensor b) {
        return temp(k.eq(a, b));
    }

    /** {@code cond ? a : b}. */
    NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b) {
        return temp(k.where(cond, a, b));
    }

    NativeTensor reshape(NativeTensor x, Shape shape) {
        return temp(k.reshape(x, shape));
    }

    /** {@code a @ b}, either transposed first. */
    NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB) {
        return temp(k.matmul(a, b, transposeA, transposeB));
    }

    /** Host data (little-endian) as a tensor on {@code like}'s device. */
    NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, NativeTensor like) {
        return temp(k.fromBuffer(data, shape, dtype, like.device()));
    }

    // ---- reductions ----------------------------------------------------------------------------------

    /** The sum over {@code axes}, which disappear. */
    NativeTensor sum(NativeTensor x, int... axes) {
        return temp(k.sum(x, axes, false));
    }

    /** The sum over the last axis, kept as size 1: (..., C) -> (..., 1). */
    NativeTensor sumLast(NativeTensor x) {
        return temp(k.sum(x, new int[] {lastAxis(x)}, true));
    }

    /** The mean over the last axis, kept as size 1: (..., C) -> (..., 1). */
    NativeTensor meanLast(NativeTensor x) {
        return div(sumLast(x), scalar(x.shape().dim(lastAxis(x)), x));
    }

    /** The maximum over the last axis, kept as size 1: (..., C) -> (..., 1). */
    NativeTensor maxLast(NativeTensor x) {
        return temp(k.max(x, new int[] {lastAxis(x)}, true));
    }

    private static int lastAxis(NativeTensor x) {
        return x.shape().rank() - 1;
    }

    @Override
    public void close() {
        for (NativeTensor t : temporaries) {
            t.close();
        }
        temporaries.clear();
    }
}
