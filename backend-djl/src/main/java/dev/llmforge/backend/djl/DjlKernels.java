package dev.llmforge.backend.djl;

import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.index.dim.NDIndexTake;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The primitives on PyTorch, each one DJL {@link JniUtils} call where PyTorch has the op. Movement
 * ops return views (PyTorch shares storage; {@link DjlTensor} tracks that); every other op returns
 * a tensor owning new storage. Temporaries are closed before returning.
 */
final class DjlKernels implements Kernels {
    private static final ai.djl.Device CPU = ai.djl.Device.cpu();

    private final PtNDManager manager;
    private final HostTransfer host;
    private final Constants constants = new Constants(this);
    private final RepeatedConstants repeated;
    /** PyTorch has one global CPU generator: seeding and drawing must not interleave across threads. */
    private final Object generator = new Object();

    DjlKernels(PtNDManager manager, PtNDManager constantsManager) {
        this.manager = manager;
        this.repeated = new RepeatedConstants(constantsManager);
        this.host = new HostTransfer(manager);
        constants.preload(new double[] {1}, DType.F32, DType.F64); // reciprocal
    }

    /** The PyTorch tensor behind {@code x} (a handle of this backend, or a value a captured step computed). */
    static DjlTensor t(NativeTensor x) {
        return (DjlTensor) CaptureSupport.unwrap(x);
    }

    static PtNDArray a(NativeTensor x) {
        return t(x).array();
    }

    // ---- I/O ------------------------------------------------------------------------------------

    @Override
    public NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, Device device) {
        requireCpu(device);
        return host.fromBuffer(data, shape, dtype);
    }

    @Override
    public ByteBuffer toBuffer(NativeTensor x) {
        return host.toBuffer(t(x));
    }

    @Override
    public NativeTensor full(Shape shape, double value, DType dtype, Device device) {
        requireCpu(device);
        return DjlTensor.fresh(fullArray(shape, value, dtype), shape, dtype);
    }

    @Override
    public NativeTensor randomUniform(Shape shape, DType dtype, Device device, long seed) {
        requireCpu(device);
        synchronized (generator) {
            JniUtils.setSeed(seed);
            return DjlTensor.fresh(JniUtils.uniform(manager, 0, 1, DTypes.djl(shape), DTypes.djl(dtype), CPU), shape, dtype);
        }
    }

    @Override
    public NativeTensor randomNormal(Shape shape, DType dtype, Device device, long seed) {
        requireCpu(device);
        synchronized (generator) {
            JniUtils.setSeed(seed);
            return DjlTensor.fresh(JniUtils.normal(manager, 0, 1, DTypes.djl(shape), DTypes.djl(dtype), CPU), shape, dtype);
        }
    }

    @Override
    public NativeTensor cast(NativeTensor x, DType dtype) {
        PtNDArray r = JniUtils.to(a(x), DTypes.djl(dtype), CPU);
        // a cast to the same type is an alias in PyTorch
        return x.dtype() == dtype ? DjlTensor.viewOf(t(x), r, x.shape(), dtype) : DjlTensor.fresh(r, x.shape(), dtype);
    }

    // ---- movement -------------------------------------------------------------------------------

    @Override
    public NativeTensor reshape(NativeTensor x, Shape shape) {
        return DjlTensor.viewOf(t(x), JniUtils.reshape(a(x), DTypes.longs(shape)), shape, x.dtype());
    }

    @Override
    public NativeTensor permute(NativeTensor x, int[] axes) {
        Shape out = Shape.permuted(x.shape(), axes);
        return DjlTensor.viewOf(t(x), JniUtils.permute(a(x), DTypes.longs(axes)), out, x.dtype());
    }

    @Override
    public NativeTensor expand(NativeTensor x, Shape shape) {
        return DjlTensor.viewOf(t(x), JniUtils.broadcast(a(x), DTypes.djl(shape)), shape, x.dtype());
    }

    @Override
    public NativeTensor slice(NativeTensor x, int axis, int start, int end) {
        Shape out = x.shape().with(axis, end - start);
        return DjlTensor.viewOf(t(x), JniUtils.slice(a(x), axis, start, end, 1), out, x.dtype());
    }

    @Override
    public NativeTensor concat(List<NativeTensor> xs, int axis) {
        PtNDArray[] arrays = new PtNDArray[xs.size()];
        List<Shape> shapes = new ArrayList<>(xs.size());
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = a(xs.get(i));
            shapes.add(xs.get(i).shape());
        }
        return DjlTensor.fresh(JniUtils.cat(arrays, axis), Shape.concatenated(shapes, axis), xs.get(0).dtype());
    }

    @Override
    public NativeTensor gather(NativeTensor src, int axis, NativeTensor indices) {
        Shape out = Shape.gathered(src.shape(), axis, indices.shape());
        return DjlTensor.fresh(take(a(src), src.shape().rank(), axis, a(indices), indices.dtype()), out, src.dtype());
    }

    /**
     * The gradient of {@link #gather}. PyTorch's index_add is not exposed by DJL, but the backward of
     * its embedding lookup and advanced indexing is an accumulating index-add: so the kernel gathers
     * from a leaf under PyTorch autograd and backpropagates {@code updates} into it: faster than a
     * one-hot matmul for nanoGPT's embedding gradient, and unlike that it does not grow with the
     * vocabulary (module README).
     */
    @Override
    public NativeTensor scatterAdd(Shape shape, int axis, NativeTensor indices, NativeTensor updates) {
        DType dtype = updates.dtype();
        if (shape.numel() == 0 || updates.shape().numel() == 0) {
            return full(shape, 0, dtype, Device.cpu());
        }
        if (!dtype.isFloating()) {
            // autograd needs floats; F64 holds every integer the reference backend holds exactly
            try (Temporaries tmp = new Temporaries()) {
                PtNDArray wide = tmp.t(JniUtils.to(a(updates), DataType.FLOAT64, CPU));
                PtNDArray sum = tmp.t(scatterAddFloating(shape, axis, indices, wide, DataType.FLOAT64));
                return DjlTensor.fresh(JniUtils.to(sum, DTypes.djl(dtype), CPU), shape, dtype);
            }
        }
        return DjlTensor.fresh(scatterAddFloating(shape, axis, indices, a(updates), DTypes.djl(dtype)), shape, dtype);
    }

    private PtNDArray scatterAddFloating(Shape shape, int axis, NativeTensor indices, PtNDArray updates, DataType dataType) {
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = new TorchAutograd()) {
            // the gradient does not depend on the leaf's values: leave them uninitialised (no memset, no page faults)
            PtNDArray target = tmp.t(JniUtils.createEmptyNdArray(manager, DTypes.djl(shape), dataType, CPU, SparseFormat.DENSE));
            JniUtils.attachGradient(target, true);
            PtNDArray picked = tmp.t(take(target, shape.rank(), axis, a(indices), indices.dtype()));
            autograd.backward(picked, updates);
            return autograd.gradient(target);
        }
    }

    /** NumPy take along {@code axis}: embedding lookup for a matrix's rows, advanced indexing otherwise. */
    private PtNDArray take(PtNDArray src, int srcRank, int axis, PtNDArray indices, DType indexType) {
        try (Temporaries tmp = new Temporaries()) {
            // DJL's advanced indexing converts other index types to I64 itself, without closing the copy
            PtNDArray longIndices = indexType == DType.I64 ? indices : tmp.t(JniUtils.to(indices, DataType.INT64, CPU));
            if (axis == 0 && srcRank == 2) {
                return JniUtils.embedding(longIndices, src, false);
            }
            NDIndex index = new NDIndex();
            if (axis > 0) {
                index.addAllDim(axis);
            }
            index.getIndices().add(new NDIndexTake(longIndices));
            return JniUtils.indexAdv(src, index, manager);
        }
    }

    // ---- unary ----------------------------------------------------------------------------------

    @Override
    public NativeTensor neg(NativeTensor x) {
        return same(x, JniUtils.neg(a(x)));
    }

    @Override
    public NativeTensor exp(NativeTensor x) {
        return same(x, JniUtils.exp(a(x)));
    }

    @Override
    public NativeTensor log(NativeTensor x) {
        return same(x, JniUtils.log(a(x)));
    }

    @Override
    public NativeTensor sqrt(NativeTensor x) {
        return same(x, JniUtils.sqrt(a(x)));
    }

    @Override
    public NativeTensor tanh(NativeTensor x) {
        return same(x, JniUtils.tanh(a(x)));
    }

    @Override
    public NativeTensor reciprocal(NativeTensor x) {
        return same(x, JniUtils.div(constants.of(1, x.dtype()), a(x)));
    }

    @Override
    public NativeTensor erf(NativeTensor x) {
        return same(x, JniUtils.erf(a(x)));
    }

    // ---- binary ---------------------------------------------------------------------------------

    @Override
    public NativeTensor add(NativeTensor a, NativeTensor b) {
        return binary(a, b, JniUtils.add(a(a), a(b)));
    }

    @Override
    public NativeTensor sub(NativeTensor a, NativeTensor b) {
        return binary(a, b, JniUtils.sub(a(a), a(b)));
    }

    @Override
    public NativeTensor mul(NativeTensor a, NativeTensor b) {
        return binary(a, b, JniUtils.mul(a(a), a(b)));
    }

    @Override
    public NativeTensor div(NativeTensor a, NativeTensor b) {
        if (!a.dtype().isInteger()) {
            return binary(a, b, JniUtils.div(a(a), a(b)));
        }
        // PyTorch's div is true division; integer division truncates toward zero. In F64 the quotient
        // truncates exactly for |a| < 2^53, the range the reference backend holds exactly.
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray zero = tmp.t(scalar(0, b.dtype()));
            PtNDArray anyZero = tmp.t(JniUtils.any(tmp.t(JniUtils.eq(a(b), zero))));
            if (JniUtils.getByteBuffer(anyZero, false).get(0) != 0) {
                throw new ArithmeticException("integer division by zero");
            }
            PtNDArray wa = tmp.t(JniUtils.to(a(a), DataType.FLOAT64, CPU));
            PtNDArray wb = tmp.t(JniUtils.to(a(b), DataType.FLOAT64, CPU));
            PtNDArray q = tmp.t(JniUtils.trunc(tmp.t(JniUtils.div(wa, wb))));
            return binary(a, b, JniUtils.to(q, DTypes.djl(a.dtype()), CPU));
        }
    }

    @Override
    public NativeTensor maximum(NativeTensor a, NativeTensor b) {
        return binary(a, b, JniUtils.max(a(a), a(b)));
    }

    // ---- compare / select -----------------------------------------------------------------------

    @Override
    public NativeTensor lt(NativeTensor a, NativeTensor b) {
        return DjlTensor.fresh(JniUtils.lt(a(a), a(b)), broadcast(a, b), DType.BOOL);
    }

    @Override
    public NativeTensor eq(NativeTensor a, NativeTensor b) {
        return DjlTensor.fresh(JniUtils.eq(a(a), a(b)), broadcast(a, b), DType.BOOL);
    }

    @Override
    public NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b) {
        Shape out = Shape.broadcast("where", cond.shape(), Shape.broadcast("where", a.shape(), b.shape()));
        return DjlTensor.fresh(JniUtils.where(a(cond), a(a), a(b)), out, a.dtype());
    }

    // ---- reductions -----------------------------------------------------------------------------

    @Override
    public NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim) {
        if (axes.length == 0) {
            // PyTorch reads an empty dim list as "all dims"; here it means "none": a copy
            return same(x, JniUtils.clone(a(x)));
        }
        Shape out = Shape.reduced(x.shape(), axes, keepDim);
        PtNDArray s = JniUtils.sum(a(x), DTypes.longs(axes), keepDim);
        if (x.dtype() == DType.F32 || x.dtype() == DType.F64) {
            return DjlTensor.fresh(s, out, x.dtype());
        }
        // PyTorch sums integers and booleans into I64
        try (Temporaries tmp = new Temporaries()) {
            tmp.t(s);
            return DjlTensor.fresh(JniUtils.to(s, DTypes.djl(x.dtype()), CPU), out, x.dtype());
        }
    }

    @Override
    public NativeTensor max(NativeTensor x, int[] axes, boolean keepDim) {
        Shape out = Shape.reduced(x.shape(), axes, keepDim);
        if (axes.length == x.shape().rank() && !keepDim) {
            return DjlTensor.fresh(JniUtils.max(a(x)), out, x.dtype());
        }
        // one axis at a time, the highest first so the remaining axis numbers stay valid
        PtNDArray current = a(x);
        try (Temporaries tmp = new Temporaries()) {
            for (int i = axes.length - 1; i >= 0; i--) {
                PtNDArray next = JniUtils.max(current, axes[i], keepDim);
                current = i == 0 ? next : tmp.t(next);
            }
        }
        return DjlTensor.fresh(current, out, x.dtype());
    }

    @Override
    public NativeTensor argmax(NativeTensor x, int axis, boolean keepDim) {
        Shape out = Shape.reduced(x.shape(), new int[] {axis}, keepDim);
        return DjlTensor.fresh(JniUtils.argMax(a(x), axis, keepDim), out, DType.I64);
    }

    // ---- linear algebra -------------------------------------------------------------------------

    @Override
    public NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB) {
        Shape out = Shape.matmul(a.shape(), b.shape(), transposeA, transposeB);
        if (!transposeA && transposeB && b.shape().rank() == 2) {
            // x times a transposed weight matrix, as in a Linear layer: PyTorch's linear, one call and no view
            return DjlTensor.fresh(JniUtils.linear(a(a), a(b), null), out, a.dtype());
        }
        return DjlTensor.fresh(matmul(a(a), a(b), transposeA, transposeB), out, a.dtype());
    }

    /** Batched matmul of the last two dims; transposes are views, so no operand is copied. */
    static PtNDArray matmul(PtNDArray a, PtNDArray b, boolean transposeA, boolean transposeB) {
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray left = transposeA ? tmp.t(JniUtils.transpose(a, -2, -1)) : a;
            PtNDArray right = transposeB ? tmp.t(JniUtils.transpose(b, -2, -1)) : b;
            return JniUtils.matmul(left, right);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** A rank-0 array; the caller closes it. */
    PtNDArray scalar(double value, DType dtype) {
        return JniUtils.full(manager, new ai.djl.ndarray.types.Shape(), value, DTypes.djl(dtype), CPU, SparseFormat.DENSE);
    }

    PtNDArray fullArray(Shape shape, double value, DType dtype) {
        return JniUtils.full(manager, DTypes.djl(shape), value, DTypes.djl(dtype), CPU, SparseFormat.DENSE);
    }

    Constants constants() {
        return constants;
    }

    /**
     * A read-only array of {@code shape} filled with {@code value}: shared from the pool of repeated
     * constants, else new and registered with {@code tmp} for closing.
     */
    PtNDArray filled(Shape shape, double value, DType dtype, Temporaries tmp) {
        PtNDArray shared = repeated.filled(shape, value, dtype);
        return shared != null ? shared : tmp.t(fullArray(shape, value, dtype));
    }

    /** The (Tq, Tk) BOOL mask causal attention applies: shared from the pool, else new and registered with {@code tmp}. */
    PtNDArray causalMask(int tq, int tk, Temporaries tmp) {
        PtNDArray shared = repeated.causalMask(tq, tk);
        return shared != null ? shared : tmp.t(RepeatedConstants.futureMask(manager, tq, tk));
    }

    RepeatedConstants repeatedConstants() {
        return repeated;
    }

    PtNDManager manager() {
        return manager;
    }

    private static DjlTensor same(NativeTensor x, PtNDArray result) {
        return DjlTensor.fresh(result, x.shape(), x.dtype());
    }

    private static DjlTensor binary(NativeTensor a, NativeTensor b, PtNDArray result) {
        return DjlTensor.fresh(result, broadcast(a, b), a.dtype());
    }

    private static Shape broadcast(NativeTensor a, NativeTensor b) {
        Shape sa = a.shape();
        Shape sb = b.shape();
        return sa.equals(sb) ? sa : Shape.broadcast("binary", sa, sb);
    }

    private static void requireCpu(Device device) {
        if (device.isGpu()) {
            throw new IllegalArgumentException("djl backend: device " + device + " is not available; this build has the "
                    + "PyTorch CPU natives only (devices: [cpu])");
        }
    }
}
