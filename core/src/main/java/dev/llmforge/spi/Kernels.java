package dev.llmforge.spi;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The primitive operations every backend implements. Core validates shapes, axes and dtypes
 * before calling, so a kernel may assume well-formed arguments: axes are non-negative, binary
 * operands have the same dtype and broadcastable shapes, and so on. Kernels are stateless
 * functions: they never modify or close their inputs and always return new handles.
 *
 * <p>Rank-0 (scalar) and zero-size tensors are legal everywhere.
 */
public interface Kernels {

    // ---- I/O ------------------------------------------------------------------------------------

    /**
     * A tensor holding the little-endian elements in {@code data} (position to limit, exactly
     * {@code shape.numel() * dtype.byteSize()} bytes; BOOL is one byte 0 or 1 per element).
     * The buffer may be heap or direct; the kernel copies it and must not keep a reference.
     */
    NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, Device device);

    /** The elements of {@code x} in row-major order, little-endian, in a buffer of the caller's. */
    ByteBuffer toBuffer(NativeTensor x);

    /** A tensor of {@code shape} with every element {@code value}, converted to {@code dtype}. */
    NativeTensor full(Shape shape, double value, DType dtype, Device device);

    /** Uniform [0, 1) values from a generator seeded with {@code seed}: the same seed gives the same values. */
    NativeTensor randomUniform(Shape shape, DType dtype, Device device, long seed);

    /** Standard normal values, seeded like {@link #randomUniform}. */
    NativeTensor randomNormal(Shape shape, DType dtype, Device device, long seed);

    /** Element-wise conversion; float to integer truncates toward zero; non-zero to BOOL is true. */
    NativeTensor cast(NativeTensor x, DType dtype);

    // ---- movement -------------------------------------------------------------------------------

    /** Same elements in row-major order, new shape with the same element count. */
    NativeTensor reshape(NativeTensor x, Shape shape);

    /** Output dim i is input dim {@code axes[i]}. */
    NativeTensor permute(NativeTensor x, int[] axes);

    /** Broadcasts {@code x} to {@code shape} (NumPy rules; leading dims may be added). */
    NativeTensor expand(NativeTensor x, Shape shape);

    /** Elements {@code [start, end)} along {@code axis}. */
    NativeTensor slice(NativeTensor x, int axis, int start, int end);

    /** Joins tensors that agree in every dim but {@code axis}. */
    NativeTensor concat(List<NativeTensor> xs, int axis);

    /**
     * NumPy {@code take}: output shape is {@code src.shape[:axis] + indices.shape + src.shape[axis+1:]}.
     * Indices are I32 or I64 and already checked to lie in range.
     */
    NativeTensor gather(NativeTensor src, int axis, NativeTensor indices);

    /**
     * The gradient of {@link #gather}: a zero tensor of {@code shape} into which every slice of
     * {@code updates} is added at its index along {@code axis}. Repeated indices accumulate.
     */
    NativeTensor scatterAdd(Shape shape, int axis, NativeTensor indices, NativeTensor updates);

    // ---- unary ----------------------------------------------------------------------------------

    NativeTensor neg(NativeTensor x);

    NativeTensor exp(NativeTensor x);

    NativeTensor log(NativeTensor x);

    NativeTensor sqrt(NativeTensor x);

    NativeTensor tanh(NativeTensor x);

    NativeTensor reciprocal(NativeTensor x);

    /** The error function (exact GELU needs it). */
    NativeTensor erf(NativeTensor x);

    // ---- binary, broadcasting -------------------------------------------------------------------

    NativeTensor add(NativeTensor a, NativeTensor b);

    NativeTensor sub(NativeTensor a, NativeTensor b);

    NativeTensor mul(NativeTensor a, NativeTensor b);

    /** Division; for integer types it truncates toward zero. */
    NativeTensor div(NativeTensor a, NativeTensor b);

    NativeTensor maximum(NativeTensor a, NativeTensor b);

    // ---- compare / select -----------------------------------------------------------------------

    /** {@code a < b} as BOOL. */
    NativeTensor lt(NativeTensor a, NativeTensor b);

    /** {@code a == b} as BOOL. */
    NativeTensor eq(NativeTensor a, NativeTensor b);

    /** {@code cond ? a : b}; cond is BOOL; all three broadcast together. */
    NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b);

    // ---- reductions -----------------------------------------------------------------------------

    /** Sum over the distinct, sorted {@code axes} (may be empty: a copy). */
    NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim);

    /** Maximum over the distinct, sorted, non-empty {@code axes}; the reduced dims are not zero-size. */
    NativeTensor max(NativeTensor x, int[] axes, boolean keepDim);

    /** Index (I64) of the first maximum along {@code axis}. */
    NativeTensor argmax(NativeTensor x, int axis, boolean keepDim);

    // ---- linear algebra -------------------------------------------------------------------------

    /**
     * Batched matrix product of the last two dims, optionally transposing either operand's last
     * two dims first; leading (batch) dims broadcast. Both operands have rank >= 2.
     */
    NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB);
}
