package dev.llmforge.backend.tensorflow;

import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.CaptureSupport;
import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The primitives, run eagerly: each call executes {@link TfMath} ops and frees their temporaries. */
final class TfKernels implements Kernels {
    private final TfEngine engine;

    TfKernels(TfEngine engine) {
        this.engine = engine;
    }

    /** The eager tensor behind a handle core gives us (a captured value forwards to one). */
    static TfTensor tf(NativeTensor x) {
        return (TfTensor) CaptureSupport.unwrap(x);
    }

    /** Runs {@code body} eagerly and returns its result, freeing every other tensor it made. */
    NativeTensor run(Function<TfMath, TfValue> body) {
        try (EagerEmitter e = new EagerEmitter(engine)) {
            return e.keep(body.apply(new TfMath(e)));
        }
    }

    static void requireCpu(Device device) {
        if (!device.equals(Device.cpu())) {
            throw new IllegalArgumentException("the tensorflow backend runs on the CPU only (this build bundles no GPU natives), got " + device);
        }
    }

    // ---- I/O ----------------------------------------------------------------------------------------------

    @Override
    public NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, Device device) {
        requireCpu(device);
        return engine.fromBytes(data, shape, dtype);
    }

    @Override
    public ByteBuffer toBuffer(NativeTensor x) {
        return engine.toBytes(tf(x));
    }

    @Override
    public NativeTensor full(Shape shape, double value, DType dtype, Device device) {
        requireCpu(device);
        return run(m -> m.fill(shape, m.scalar(value, dtype)));
    }

    @Override
    public NativeTensor randomUniform(Shape shape, DType dtype, Device device, long seed) {
        requireCpu(device);
        return run(m -> m.randomUniform(shape, dtype, m.longs(seed, 0)));
    }

    @Override
    public NativeTensor randomNormal(Shape shape, DType dtype, Device device, long seed) {
        requireCpu(device);
        return run(m -> m.randomNormal(shape, dtype, m.longs(seed, 0)));
    }

    @Override
    public NativeTensor cast(NativeTensor x, DType dtype) {
        return run(m -> m.cast(tf(x), dtype));
    }

    // ---- movement -------------------------------------------------------------------------------------------

    @Override
    public NativeTensor reshape(NativeTensor x, Shape shape) {
        return run(m -> m.reshape(tf(x), shape));
    }

    @Override
    public NativeTensor permute(NativeTensor x, int[] axes) {
        return run(m -> m.permute(tf(x), axes));
    }

    @Override
    public NativeTensor expand(NativeTensor x, Shape shape) {
        return run(m -> m.expand(tf(x), shape));
    }

    @Override
    public NativeTensor slice(NativeTensor x, int axis, int start, int end) {
        return run(m -> m.slice(tf(x), axis, start, end));
    }

    @Override
    public NativeTensor concat(List<NativeTensor> xs, int axis) {
        List<TfTensor> parts = new ArrayList<>(xs.size());
        for (NativeTensor x : xs) {
            parts.add(tf(x));
        }
        return run(m -> m.concat(parts, axis));
    }

    @Override
    public NativeTensor gather(NativeTensor src, int axis, NativeTensor indices) {
        return run(m -> m.gather(tf(src), axis, tf(indices)));
    }

    @Override
    public NativeTensor scatterAdd(Shape shape, int axis, NativeTensor indices, NativeTensor updates) {
        return run(m -> m.scatterAdd(shape, axis, tf(indices), tf(updates)));
    }

    // ---- element-wise -----------------------------------------------------------------------------------------

    @Override
    public NativeTensor neg(NativeTensor x) {
        return run(m -> m.unary(OpKind.NEG, tf(x)));
    }

    @Override
    public NativeTensor exp(NativeTensor x) {
        return run(m -> m.unary(OpKind.EXP, tf(x)));
    }

    @Override
    public NativeTensor log(NativeTensor x) {
        return run(m -> m.unary(OpKind.LOG, tf(x)));
    }

    @Override
    public NativeTensor sqrt(NativeTensor x) {
        return run(m -> m.unary(OpKind.SQRT, tf(x)));
    }

    @Override
    public NativeTensor tanh(NativeTensor x) {
        return run(m -> m.unary(OpKind.TANH, tf(x)));
    }

    @Override
    public NativeTensor reciprocal(NativeTensor x) {
        return run(m -> m.unary(OpKind.RECIPROCAL, tf(x)));
    }

    @Override
    public NativeTensor erf(NativeTensor x) {
        return run(m -> m.unary(OpKind.ERF, tf(x)));
    }

    @Override
    public NativeTensor add(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.ADD, tf(a), tf(b)));
    }

    @Override
    public NativeTensor sub(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.SUB, tf(a), tf(b)));
    }

    @Override
    public NativeTensor mul(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.MUL, tf(a), tf(b)));
    }

    @Override
    public NativeTensor div(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.DIV, tf(a), tf(b)));
    }

    @Override
    public NativeTensor maximum(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.MAXIMUM, tf(a), tf(b)));
    }

    @Override
    public NativeTensor lt(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.LT, tf(a), tf(b)));
    }

    @Override
    public NativeTensor eq(NativeTensor a, NativeTensor b) {
        return run(m -> m.binary(OpKind.EQ, tf(a), tf(b)));
    }

    @Override
    public NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b) {
        return run(m -> m.where(tf(cond), tf(a), tf(b)));
    }

    // ---- reductions ---------------------------------------------------------------------------------------------

    @Override
    public NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim) {
        return run(m -> m.sum(tf(x), axes, keepDim));
    }

    @Override
    public NativeTensor max(NativeTensor x, int[] axes, boolean keepDim) {
        return run(m -> m.max(tf(x), axes, keepDim));
    }

    @Override
    public NativeTensor argmax(NativeTensor x, int axis, boolean keepDim) {
        return run(m -> m.argmax(tf(x), axis, keepDim));
    }

    // ---- linear algebra -------------------------------------------------------------------------------------------

    @Override
    public NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB) {
        return run(m -> m.matmul(tf(a), tf(b), transposeA, transposeB));
    }
}
