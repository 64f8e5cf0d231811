package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.ops.random.BaseRandomOp;
import org.nd4j.linalg.cpu.nativecpu.rng.CpuNativeRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The primitives on ND4J: each one allocates its output from the backend's {@link ArrayPool} and
 * runs one libnd4j op into it (a few need two). Outputs are always fresh, C-ordered arrays that no
 * other handle sees. Zero-size results skip libnd4j entirely.
 */
final class Nd4jKernels implements Kernels {
    /** Up to this many elements, {@link #full} writes from Java instead of calling libnd4j. */
    private static final int HOST_FILL_LIMIT = 4096;
    /**
     * {@link #slice} and {@link #gather} copy contiguous runs of at least this many bytes with one
     * {@code memcpy} each instead of calling libnd4j's op, which costs thousands of {@code memcpy}
     * calls at nanoGPT's sizes (module README, "What runs where").
     */
    private static final long MEMCPY_RUN_BYTES = 256;

    private final Nd4jBackend backend;

    Nd4jKernels(Nd4jBackend backend) {
        this.backend = backend;
    }

    static INDArray array(NativeTensor t) {
        return ((NdTensor) t).array();
    }

    private NativeCalls calls() {
        return backend.calls();
    }

    /** A new tensor of {@code shape} filled by {@code body} (skipped when it has no elements); closed if body fails. */
    NdTensor compute(Shape shape, DType dtype, Consumer<INDArray> body) {
        NdTensor out = backend.allocate(dtype, shape);
        if (shape.numel() == 0) {
            return out;
        }
        try {
            body.accept(out.array());
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    // ---- I/O ------------------------------------------------------------------------------------

    @Override
    public NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, Device device) {
        checkDevice(device);
        int bytes = Math.multiplyExact(shape.size(), dtype.byteSize());
        return compute(shape, dtype, out -> {
            ByteBuffer src = data.duplicate();
            src.limit(src.position() + bytes);
            out.data().asNio().order(ByteOrder.LITTLE_ENDIAN).put(src);
        });
    }

    @Override
    public ByteBuffer toBuffer(NativeTensor x) {
        Shape shape = x.shape();
        int bytes = Math.multiplyExact(shape.size(), x.dtype().byteSize());
        ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes > 0) {
            ByteBuffer src = array(x).data().asNio();
            src.limit(bytes);
            out.put(src);
            out.flip();
        }
        return out;
    }

    @Override
    public NativeTensor full(Shape shape, double value, DType dtype, Device device) {
        checkDevice(device);
        return compute(shape, dtype, out -> fill(out, dtype, value));
    }

    private void fill(INDArray out, DType dtype, double value) {
        long n = out.length();
        if (n > HOST_FILL_LIMIT && dtype.isFloating()) {
            calls().scalar(Legacy.SCALAR_SET, out, value, out);
            return;
        }
        ByteBuffer b = out.data().asNio().order(ByteOrder.nativeOrder());
        switch (dtype) {
            case F32 -> {
                float v = (float) value;
                for (int i = 0; i < n; i++) {
                    b.putFloat(4 * i, v);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    b.putDouble(8 * i, value);
                }
            }
            case I32 -> {
                int v = (int) value;
                for (int i = 0; i < n; i++) {
                    b.putInt(4 * i, v);
                }
            }
            case I64 -> {
                long v = (long) value;
                for (int i = 0; i < n; i++) {
                    b.putLong(8 * i, v);
                }
            }
            case BOOL -> {
                byte v = (byte) (value != 0 ? 1 : 0);
                for (int i = 0; i < n; i++) {
                    b.put(i, v);
                }
            }
            default -> throw new IllegalArgumentException("full: unsupported dtype " + dtype);
        }
    }

    @Override
    public NativeTensor randomUniform(Shape shape, DType dtype, Device device, long seed) {
        checkDevice(device);
        return random(shape, dtype, seed, z -> new UniformDistribution(z, 0.0, 1.0));
    }

    @Override
    public NativeTensor randomNormal(Shape shape, DType dtype, Device device, long seed) {
        checkDevice(device);
        return random(shape, dtype, seed, z -> new GaussianDistribution(z, 0.0, 1.0));
    }

    /** libnd4j's counter-based generator: the values depend only on the seed and the element index. */
    private NativeTensor random(Shape shape, DType dtype, long seed, Function<INDArray, BaseRandomOp> op) {
        if (!dtype.isFloating()) {
            try (NdTensor floats = (NdTensor) random(shape, DType.F64, seed, op)) {
                return cast(floats, dtype);
            }
        }
        return compute(shape, dtype, out -> {
            CpuNativeRandom rng = new CpuNativeRandom(generatorSeed(seed));
            try {
                Nd4j.getExecutioner().exec(op.apply(out), rng);
            } finally {
                rng.close();
            }
        });
    }

    /**
     * libnd4j's generator takes a root seed of 0 to mean "seed from the clock", so every seed is
     * first scrambled by SplitMix64's finaliser (a bijection; the one seed it maps to 0 is moved).
     */
    static long generatorSeed(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z != 0 ? z : 0x5DEECE66DL;
    }

    @Override
    public NativeTensor cast(NativeTensor x, DType dtype) {
        return compute(x.shape(), dtype, out -> calls().custom(NdOp.ASSIGN, out, out, array(x)));
    }

    // ---- movement -------------------------------------------------------------------------------

    @Override
    public NativeTensor reshape(NativeTensor x, Shape shape) {
        return compute(shape, x.dtype(), out -> copyBytes(array(x), out));
    }

    /** Copies all elements of {@code src} into {@code dst} (same element count and dtype) in row-major order. */
    static void copyBytes(INDArray src, INDArray dst) {
        Pointer from = src.data().addressPointer();
        Pointer to = dst.data().addressPointer();
        Pointer.memcpy(to, from, src.length() * src.data().getElementSize());
    }

    @Override
    public NativeTensor permute(NativeTensor x, int[] axes) {
        return compute(Shape.permuted(x.shape(), axes), x.dtype(), out -> calls().custom(NdOp.PERMUTE, new INDArray[] {array(x)},
                new INDArray[] {out}, toLongs(axes), NativeCalls.NO_BOOLS, NativeCalls.NO_REALS));
    }

    @Override
    public NativeTensor expand(NativeTensor x, Shape shape) {
        return compute(shape, x.dtype(), out -> broadcastInto(array(x), x.shape(), out, shape));
    }

    /** Writes {@code src} broadcast to {@code shape} into {@code out}. */
    void broadcastInto(INDArray src, Shape srcShape, INDArray out, Shape shape) {
        if (srcShape.equals(shape)) {
            copyBytes(src, out);
            return;
        }
        INDArray source = srcShape.rank() == shape.rank() ? src : view(src, padded(srcShape, shape.rank()));
        calls().custom(NdOp.ASSIGN, out, out, source);
    }

    /**
     * A slice whose contiguous runs are at least {@value #MEMCPY_RUN_BYTES} bytes long is copied run
     * by run, several times faster than libnd4j's {@code slice} for q, k or v of nanoGPT's heads
     * (module README). Shorter runs go to libnd4j.
     */
    @Override
    public NativeTensor slice(NativeTensor x, int axis, int start, int end) {
        Shape in = x.shape();
        Shape outShape = in.with(axis, end - start);
        long inner = (long) product(in, axis + 1, in.rank()) * x.dtype().byteSize(); // bytes per index along axis
        long run = (end - start) * inner;
        if (run >= MEMCPY_RUN_BYTES) {
            return compute(outShape, x.dtype(), out -> copyRuns(array(x), out, product(in, 0, axis), in.dim(axis) * inner,
                    start * inner, run));
        }
        long[] args = new long[2 * in.rank()];
        for (int i = 0; i < in.rank(); i++) {
            args[i] = i == axis ? start : 0;
            args[in.rank() + i] = outShape.dim(i);
        }
        return compute(outShape, x.dtype(), out -> calls().custom(NdOp.SLICE, new INDArray[] {array(x)},
                new INDArray[] {out}, args, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS));
    }

    /** Copies {@code count} runs of {@code run} bytes into {@code dst}, the i-th from {@code src} at byte {@code offset + i stride}. */
    private static void copyRuns(INDArray src, INDArray dst, int count, long stride, long offset, long run) {
        BytePointer from = new BytePointer(src.data().addressPointer());
        BytePointer to = new BytePointer(dst.data().addressPointer());
        for (int i = 0; i < count; i++) {
            Pointer.memcpy(to.position(i * run), from.position(offset + i * stride), run);
        }
    }

    /** Copies rows of {@code row} bytes into {@code dst}, the i-th from row {@code indices[i]} of {@code src}'s {@code size}. */
    private void copyRows(INDArray src, int size, NativeTensor indices, long row, INDArray dst) {
        long[] at = indexValues(indices, size);
        BytePointer from = new BytePointer(src.data().addressPointer());
        BytePointer to = new BytePointer(dst.data().addressPointer());
        for (int i = 0; i < at.length; i++) {
            Pointer.memcpy(to.position(i * row), from.position(at[i] * row), row);
        }
    }

    /** The values of an I32 or I64 tensor of indices into {@code size} (checked: the copies here would not). */
    private long[] indexValues(NativeTensor indices, int size) {
        ByteBuffer b = toBuffer(indices);
        long[] values = new long[indices.shape().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = indices.dtype() == DType.I64 ? b.getLong(8 * i) : b.getInt(4 * i);
            if (values[i] < 0 || values[i] >= size) {
                throw new IndexOutOfBoundsException("index " + values[i] + " out of range [0, " + size + ")");
            }
        }
        return values;
    }

    @Override
    public NativeTensor concat(List<NativeTensor> xs, int axis) {
        List<Shape> shapes = new ArrayList<>(xs.size());
        List<INDArray> parts = new ArrayList<>();
        for (NativeTensor t : xs) {
            shapes.add(t.shape());
            if (t.shape().numel() > 0) {
                parts.add(array(t));
            }
        }
        return compute(Shape.concatenated(shapes, axis), xs.get(0).dtype(), out -> {
            if (parts.size() == 1) {
                copyBytes(parts.get(0), out);
            } else {
                calls().custom(NdOp.CONCAT, parts.toArray(new INDArray[0]), new INDArray[] {out}, new long[] {axis},
                        NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
            }
        });
    }

    @Override
    public NativeTensor gather(NativeTensor src, int axis, NativeTensor indices) {
        Shape s = src.shape();
        Shape idx = indices.shape();
        Shape outShape = Shape.gathered(s, axis, idx);
        if (src.dtype() == DType.BOOL) {
            // libnd4j's gather rejects BOOL: gather the values as I32 and convert back
            try (NdTensor ints = (NdTensor) cast(src, DType.I32); NdTensor picked = (NdTensor) gather(ints, axis, indices)) {
                return cast(picked, DType.BOOL);
            }
        }
        int outer = product(s, 0, axis);
        int size = s.dim(axis);
        int inner = product(s, axis + 1, s.rank());
        int n = idx.size();
        // libnd4j's gather is reliable on its plain forms (it crashes the JVM on some others, e.g. a
        // vector source with a matrix of indices): (size, inner) by rows, or (outer, size, inner) along axis 1
        long row = (long) inner * src.dtype().byteSize();
        if (outer == 1 && row >= MEMCPY_RUN_BYTES) {
            // one memcpy per row: a fraction of libnd4j's gather for nanoGPT's token embeddings (module README)
            return compute(outShape, src.dtype(), out -> copyRows(array(src), size, indices, row, out));
        }
        return compute(outShape, src.dtype(), out -> {
            INDArray ids = view(array(indices), n);
            if (outer == 1) {
                calls().custom(NdOp.GATHER, new INDArray[] {view(array(src), size, inner), ids},
                        new INDArray[] {view(out, n, inner)}, new long[] {0}, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
            } else {
                calls().custom(NdOp.GATHER, new INDArray[] {view(array(src), outer, size, inner), ids},
                        new INDArray[] {view(out, outer, n, inner)}, new long[] {1}, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
            }
        });
    }

    @Override
    public NativeTensor scatterAdd(Shape shape, int axis, NativeTensor indices, NativeTensor updates) {
        int outer = product(shape, 0, axis);
        int size = shape.dim(axis);
        int inner = product(shape, axis + 1, shape.rank());
        int n = indices.shape().size();
        DType dtype = updates.dtype();
        return compute(shape, dtype, out -> {
            if (n == 0) {
                fill(out, dtype, 0);
                return;
            }
            if (outer == 1 && dtype == DType.F32) {
                addRowsF32(indices, array(updates), size, inner, out);
                return;
            }
            INDArray ids = view(array(indices), n);
            if (outer == 1) {
                // (n, inner) rows summed into (size, inner) by index
                calls().custom(NdOp.SEGMENT_SUM, new INDArray[] {view(array(updates), n, inner), ids},
                        new INDArray[] {view(out, size, inner)}, new long[] {size}, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
                return;
            }
            // move the indexed axis to the front: (outer, n, inner) -> (n, outer, inner), then back
            try (Scratch s = backend.scratch()) {
                INDArray moved = s.take(dtype, Shape.of(n, outer, inner));
                INDArray summed = s.take(dtype, Shape.of(size, outer, inner));
                long[] swap = {1, 0, 2};
                calls().custom(NdOp.PERMUTE, new INDArray[] {view(array(updates), outer, n, inner)},
                        new INDArray[] {moved}, swap, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
                calls().custom(NdOp.SEGMENT_SUM, new INDArray[] {moved, ids}, new INDArray[] {summed}, new long[] {size},
                        NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
                calls().custom(NdOp.PERMUTE, new INDArray[] {summed}, new INDArray[] {view(out, outer, size, inner)},
                        swap, NativeCalls.NO_BOOLS, NativeCalls.NO_REALS);
            }
        });
    }

    /**
     * F32 {@code (n, inner)} rows of {@code updates} summed into {@code (size, inner)} by index, in
     * Java on host copies: libnd4j's {@code unsorted_segment_sum} was several times slower for
     * nanoGPT's token-embedding gradient (768 rows of 128 into 65; module README).
     */
    private void addRowsF32(NativeTensor indices, INDArray updates, int size, int inner, INDArray out) {
        long[] at = indexValues(indices, size);
        HostFloats h = backend.host();
        float[] rows = h.read(updates, 0);
        float[] sums = h.take(1, size * inner);
        Arrays.fill(sums, 0, size * inner, 0f);
        for (int i = 0; i < at.length; i++) {
            int to = Math.toIntExact(at[i]) * inner;
            int from = i * inner;
            for (int j = 0; j < inner; j++) {
                sums[to + j] += rows[from + j];
            }
        }
        HostFloats.write(sums, out);
    }

    // ---- unary ----------------------------------------------------------------------------------

    private NativeTensor unary(Legacy op, NativeTensor x) {
        return compute(x.shape(), x.dtype(), out -> calls().transform(op, array(x), out));
    }

    @Override
    public NativeTensor neg(NativeTensor x) {
        return unary(Legacy.NEG, x);
    }

    @Override
    public NativeTensor exp(NativeTensor x) {
        return unary(Legacy.EXP, x);
    }

    @Override
    public NativeTensor log(NativeTensor x) {
        return unary(Legacy.LOG, x);
    }

    @Override
    public NativeTensor sqrt(NativeTensor x) {
        return unary(Legacy.SQRT, x);
    }

    @Override
    public NativeTensor tanh(NativeTensor x) {
        return unary(Legacy.TANH, x);
    }

    @Override
    public NativeTensor reciprocal(NativeTensor x) {
        return unary(Legacy.RECIPROCAL, x);
    }

    @Override
    public NativeTensor erf(NativeTensor x) {
        return unary(Legacy.ERF, x);
    }

    // ---- binary ---------------------------------------------------------------------------------

    /** A broadcasting libnd4j op producing {@code dtype}. */
    NativeTensor binary(NdOp op, NativeTensor a, NativeTensor b, DType dtype) {
        Shape out = Shape.broadcast(op.nativeName(), a.shape(), b.shape());
        return compute(out, dtype, z -> calls().custom(op, z, operand(a, out), operand(b, out)));
    }

    /**
     * The operand as libnd4j should see it: libnd4j broadcasts only between equal ranks (or a
     * scalar), so a lower-rank operand gets leading ones (a view; nothing is copied).
     */
    static INDArray operand(NativeTensor t, Shape out) {
        INDArray a = array(t);
        Shape s = t.shape();
        if (s.rank() == out.rank() || s.rank() == 0) {
            return a;
        }
        return view(a, padded(s, out.rank()));
    }

    @Override
    public NativeTensor add(NativeTensor a, NativeTensor b) {
        return binary(NdOp.ADD, a, b, a.dtype());
    }

    @Override
    public NativeTensor sub(NativeTensor a, NativeTensor b) {
        return binary(NdOp.SUBTRACT, a, b, a.dtype());
    }

    @Override
    public NativeTensor mul(NativeTensor a, NativeTensor b) {
        return binary(NdOp.MULTIPLY, a, b, a.dtype());
    }

    @Override
    public NativeTensor div(NativeTensor a, NativeTensor b) {
        if (a.dtype().isInteger() && containsZero(b)) {
            // libnd4j would divide by zero in native code (SIGFPE) instead of raising an error
            throw new ArithmeticException("integer division by zero: the divisor " + b.shape() + " " + b.dtype() + " contains 0");
        }
        return binary(NdOp.DIVIDE, a, b, a.dtype());
    }

    private boolean containsZero(NativeTensor t) {
        ByteBuffer b = toBuffer(t);
        int n = t.shape().size();
        for (int i = 0; i < n; i++) {
            long v = t.dtype() == DType.I32 ? b.getInt(4 * i) : b.getLong(8 * i);
            if (v == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public NativeTensor maximum(NativeTensor a, NativeTensor b) {
        return binary(NdOp.MAXIMUM, a, b, a.dtype());
    }

    @Override
    public NativeTensor lt(NativeTensor a, NativeTensor b) {
        return binary(NdOp.LESS, a, b, DType.BOOL);
    }

    @Override
    public NativeTensor eq(NativeTensor a, NativeTensor b) {
        return binary(NdOp.EQUALS, a, b, DType.BOOL);
    }

    @Override
    public NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b) {
        Shape out = Shape.broadcast("where", cond.shape(), Shape.broadcast("where", a.shape(), b.shape()));
        return compute(out, a.dtype(), z -> {
            try (Scratch s = backend.scratch()) {
                select(expanded(s, cond, out), expanded(s, a, out), expanded(s, b, out), a.dtype(), z);
            }
        });
    }

    /**
     * {@code z = c ? x : y} element by element, all four of one shape, copied bit for bit. A loop
     * over the arrays' memory: libnd4j's select (and its where, where_np) was slow for a training
     * step's activations (module README), and no exact arithmetic form exists (-inf * 0 is NaN).
     */
    private static void select(INDArray c, INDArray x, INDArray y, DType dtype, INDArray z) {
        ByteBuffer cb = c.data().asNio();
        ByteBuffer xb = x.data().asNio().order(ByteOrder.nativeOrder());
        ByteBuffer yb = y.data().asNio().order(ByteOrder.nativeOrder());
        ByteBuffer zb = z.data().asNio().order(ByteOrder.nativeOrder());
        int n = (int) z.length();
        int size = dtype.byteSize();
        for (int i = 0; i < n; i++) {
            ByteBuffer from = cb.get(i) != 0 ? xb : yb;
            switch (size) {
                case 8 -> zb.putLong(8 * i, from.getLong(8 * i));
                case 4 -> zb.putInt(4 * i, from.getInt(4 * i));
                default -> zb.put(i, from.get(i));
            }
        }
    }

    /** {@code t} expanded to {@code shape}: a temporary of {@code s} unless it already has that shape. */
    private INDArray expanded(Scratch s, NativeTensor t, Shape shape) {
        if (t.shape().equals(shape)) {
            return array(t);
        }
        INDArray tmp = s.take(t.dtype(), shape);
        broadcastInto(array(t), t.shape(), tmp, shape);
        return tmp;
    }

    // ---- reductions -----------------------------------------------------------------------------

    @Override
    public NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim) {
        Shape out = Shape.reduced(x.shape(), axes, keepDim);
        if (axes.length == 0) {
            return compute(out, x.dtype(), z -> copyBytes(array(x), z));
        }
        if (x.shape().numel() == 0) {
            return full(out, 0, x.dtype(), Device.cpu());
        }
        if (x.dtype() == DType.F32 && out.numel() == 1) {
            // over every axis (e.g. a gradient-norm term): in Java, see HostFloats.sumAll
            return compute(out, DType.F32, z -> z.data().put(0, (float) backend.host().sumAll(array(x))));
        }
        int leading = leadingBlock(axes);
        if (x.dtype().isFloating() && leading > 0 && leading < x.shape().rank()) {
            // over leading axes (a bias gradient): BLAS's ones(1, R) @ x(R, C) took less than half the CPU
            // of libnd4j's reduce_sum (module README). Sums over the trailing or all axes were as fast or
            // faster on reduce_sum, and integer sums stay exact there.
            int rows = product(x.shape(), 0, leading);
            int cols = x.shape().size() / rows;
            return compute(out, x.dtype(), z -> sumRows(view(array(x), rows, cols), x.dtype(), view(z, 1, cols)));
        }
        return reduce(NdOp.REDUCE_SUM, x, axes, keepDim, out, x.dtype());
    }

    /** {@code out (1, C) = sum over the rows of m (R, C)}, as a product with a row of ones. */
    void sumRows(INDArray m, DType dtype, INDArray out) {
        int rows = (int) m.size(0);
        try (Scratch s = backend.scratch()) {
            INDArray ones = s.take(dtype, Shape.of(1, rows));
            fill(ones, dtype, 1);
            calls().custom(NdOp.MATMUL, new INDArray[] {ones, m}, new INDArray[] {out}, NativeCalls.NO_INTS, NativeCalls.NO_BOOLS,
                    NativeCalls.NO_REALS);
        }
    }

    /** k if {@code axes} is exactly 0, 1, ..., k-1, else 0. */
    private static int leadingBlock(int[] axes) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != i) {
                return 0;
            }
        }
        return axes.length;
    }

    @Override
    public NativeTensor max(NativeTensor x, int[] axes, boolean keepDim) {
        return reduce(NdOp.REDUCE_MAX, x, axes, keepDim, Shape.reduced(x.shape(), axes, keepDim), x.dtype());
    }

    @Override
    public NativeTensor argmax(NativeTensor x, int axis, boolean keepDim) {
        return reduce(NdOp.ARGMAX, x, new int[] {axis}, keepDim, Shape.reduced(x.shape(), new int[] {axis}, keepDim), DType.I64);
    }

    private NativeTensor reduce(NdOp op, NativeTensor x, int[] axes, boolean keepDim, Shape out, DType dtype) {
        return compute(out, dtype, z -> calls().custom(op, new INDArray[] {array(x)}, new INDArray[] {z}, toLongs(axes),
                new boolean[] {keepDim}, NativeCalls.NO_REALS));
    }

    // ---- matmul ---------------------------------------------------------------------------------

    @Override
    public NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB) {
        return matmul(a, b, transposeA, transposeB, 1.0);
    }

    /** {@code alpha * op(a) @ op(b)}, batched over broadcast leading dims. */
    NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB, double alpha) {
        Shape sa = a.shape();
        Shape sb = b.shape();
        int m = sa.dim(transposeA ? -1 : -2);
        int k = sa.dim(transposeA ? -2 : -1);
        int n = sb.dim(transposeB ? -2 : -1);
        Shape outShape = Shape.matmul(sa, sb, transposeA, transposeB);
        Shape batch = outShape.dropLast(2);
        DType dtype = a.dtype();
        return compute(outShape, dtype, out -> {
            if (k == 0) {
                fill(out, dtype, 0);
                return;
            }
            long[] flags = {transposeA ? 1 : 0, transposeB ? 1 : 0};
            double[] scale = alpha == 1.0 ? NativeCalls.NO_REALS : new double[] {alpha, 0.0};
            int batchSize = batch.size();
            if (!transposeA && sb.rank() == 2 && batchSize > 1) {
                // (..., M, K) @ (K, N): one product of (batch * M, K) by (K, N)
                INDArray a2 = view(array(a), (long) batchSize * m, k);
                calls().custom(NdOp.MATMUL, new INDArray[] {a2, array(b)}, new INDArray[] {view(out, (long) batchSize * m, n)},
                        flags, NativeCalls.NO_BOOLS, scale);
                return;
            }
            try (Scratch s = backend.scratch()) {
                INDArray x = batched(s, a, batch);
                INDArray y = batched(s, b, batch);
                calls().custom(NdOp.MATMUL, new INDArray[] {x, y}, new INDArray[] {out}, flags, NativeCalls.NO_BOOLS, scale);
            }
        });
    }

    /** The operand with exactly {@code batch} leading dims (libnd4j does not broadcast batch dims). */
    private INDArray batched(Scratch s, NativeTensor t, Shape batch) {
        Shape shape = t.shape();
        Shape target = batch.append(shape.dim(-2), shape.dim(-1));
        if (shape.equals(target)) {
            return array(t);
        }
        if (shape.numel() == target.numel()) {
            return view(array(t), ArrayPool.longDims(target)); // only size-1 dims differ
        }
        INDArray tmp = s.take(t.dtype(), target);
        broadcastInto(array(t), shape, tmp, target);
        return tmp;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static void checkDevice(Device device) {
        if (device.isGpu()) {
            throw new IllegalArgumentException("the nd4j backend runs on the CPU only (nd4j-native), not on " + device);
        }
    }

    static long[] toLongs(int[] values) {
        long[] r = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = values[i];
        }
        return r;
    }

    /**
     * The same buffer seen with C-order {@code dims} (a view: writes go to {@code a}). A named helper
     * because {@code a.reshape('c', intA, intB)} silently resolves to {@code reshape(long...)} with
     * the char as the first dimension.
     */
    static INDArray view(INDArray a, long... dims) {
        return a.reshape('c', dims);
    }

    /** {@code s} with leading ones up to {@code rank}. */
    static long[] padded(Shape s, int rank) {
        long[] dims = new long[rank];
        int lead = rank - s.rank();
        for (int i = 0; i < rank; i++) {
            dims[i] = i < lead ? 1 : s.dim(i - lead);
        }
        return dims;
    }

    private static int product(Shape s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= s.dim(i);
        }
        return p;
    }
}
