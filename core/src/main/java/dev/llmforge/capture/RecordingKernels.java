package dev.llmforge.capture;

import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.spi.capture.ValueType;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The primitives while a step is captured: each call appends an op to the current segment and
 * returns a {@link Symbol} of the result's shape and dtype (inferred here exactly as core's
 * validation expects). Host reads are served by {@link Recorder#read}.
 */
final class RecordingKernels implements Kernels {
    private final Recorder recorder;

    RecordingKernels(Recorder recorder) {
        this.recorder = recorder;
    }

    private Segment.OpBuilder op(OpKind kind) {
        return recorder.segment().op(kind);
    }

    private static ValueType type(Shape shape, DType dtype, NativeTensor like) {
        return new ValueType(shape, dtype, like.device());
    }

    private static ValueType sameAs(NativeTensor x) {
        return new ValueType(x.shape(), x.dtype(), x.device());
    }

    // ---- I/O -------------------------------------------------------------------------------------------

    @Override
    public NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, Device device) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(data.duplicate()).flip();
        return op(OpKind.FROM_BUFFER).shape(shape).dtype(dtype).device(device).data(copy.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN))
                .out(new ValueType(shape, dtype, device));
    }

    @Override
    public ByteBuffer toBuffer(NativeTensor x) {
        return recorder.read(x);
    }

    @Override
    public NativeTensor full(Shape shape, double value, DType dtype, Device device) {
        return op(OpKind.FULL).shape(shape).dtype(dtype).device(device).scalars(value).out(new ValueType(shape, dtype, device));
    }

    @Override
    public NativeTensor randomUniform(Shape shape, DType dtype, Device device, long seed) {
        return op(OpKind.RANDOM_UNIFORM).shape(shape).dtype(dtype).device(device).longs(seed).out(new ValueType(shape, dtype, device));
    }

    @Override
    public NativeTensor randomNormal(Shape shape, DType dtype, Device device, long seed) {
        return op(OpKind.RANDOM_NORMAL).shape(shape).dtype(dtype).device(device).longs(seed).out(new ValueType(shape, dtype, device));
    }

    @Override
    public NativeTensor cast(NativeTensor x, DType dtype) {
        return op(OpKind.CAST).in(x).dtype(dtype).out(type(x.shape(), dtype, x));
    }

    // ---- movement ----------------------------------------------------------------------------------------

    @Override
    public NativeTensor reshape(NativeTensor x, Shape shape) {
        Symbol s = op(OpKind.RESHAPE).in(x).shape(shape).out(type(shape, x.dtype(), x));
        s.sameBytesAs(recorder.segment().readable(x)); // e.g. targets.reshape(-1) stays readable without running the segment
        return s;
    }

    @Override
    public NativeTensor permute(NativeTensor x, int[] axes) {
        return op(OpKind.PERMUTE).in(x).attrs(longs(axes)).out(type(Shape.permuted(x.shape(), axes), x.dtype(), x));
    }

    @Override
    public NativeTensor expand(NativeTensor x, Shape shape) {
        return op(OpKind.EXPAND).in(x).shape(shape).out(type(shape, x.dtype(), x));
    }

    @Override
    public NativeTensor slice(NativeTensor x, int axis, int start, int end) {
        return op(OpKind.SLICE).in(x).attrs(axis, start, end).out(type(x.shape().with(axis, end - start), x.dtype(), x));
    }

    @Override
    public NativeTensor concat(List<NativeTensor> xs, int axis) {
        NativeTensor first = xs.get(0);
        Shape out = Shape.concatenated(xs.stream().map(NativeTensor::shape).toList(), axis);
        return op(OpKind.CONCAT).in(xs).attrs(axis).out(type(out, first.dtype(), first));
    }

    @Override
    public NativeTensor gather(NativeTensor src, int axis, NativeTensor indices) {
        return op(OpKind.GATHER).in(src, indices).attrs(axis).out(type(Shape.gathered(src.shape(), axis, indices.shape()), src.dtype(), src));
    }

    @Override
    public NativeTensor scatterAdd(Shape shape, int axis, NativeTensor indices, NativeTensor updates) {
        return op(OpKind.SCATTER_ADD).in(indices, updates).shape(shape).attrs(axis).out(type(shape, updates.dtype(), updates));
    }

    // ---- element-wise --------------------------------------------------------------------------------------

    private NativeTensor unary(OpKind kind, NativeTensor x) {
        return op(kind).in(x).out(sameAs(x));
    }

    private NativeTensor binary(OpKind kind, NativeTensor a, NativeTensor b, DType result) {
        return op(kind).in(a, b).out(type(Shape.broadcast(kind.name(), a.shape(), b.shape()), result, a));
    }

    @Override
    public NativeTensor neg(NativeTensor x) {
        return unary(OpKind.NEG, x);
    }

    @Override
    public NativeTensor exp(NativeTensor x) {
        return unary(OpKind.EXP, x);
    }

    @Override
    public NativeTensor log(NativeTensor x) {
        return unary(OpKind.LOG, x);
    }

    @Override
    public NativeTensor sqrt(NativeTensor x) {
        return unary(OpKind.SQRT, x);
    }

    @Override
    public NativeTensor tanh(NativeTensor x) {
        return unary(OpKind.TANH, x);
    }

    @Override
    public NativeTensor reciprocal(NativeTensor x) {
        return unary(OpKind.RECIPROCAL, x);
    }

    @Override
    public NativeTensor erf(NativeTensor x) {
        return unary(OpKind.ERF, x);
    }

    @Override
    public NativeTensor add(NativeTensor a, NativeTensor b) {
        return binary(OpKind.ADD, a, b, a.dtype());
    }

    @Override
    public NativeTensor sub(NativeTensor a, NativeTensor b) {
        return binary(OpKind.SUB, a, b, a.dtype());
    }

    @Override
    public NativeTensor mul(NativeTensor a, NativeTensor b) {
        return binary(OpKind.MUL, a, b, a.dtype());
    }

    @Override
    public NativeTensor div(NativeTensor a, NativeTensor b) {
        return binary(OpKind.DIV, a, b, a.dtype());
    }

    @Override
    public NativeTensor maximum(NativeTensor a, NativeTensor b) {
        return binary(OpKind.MAXIMUM, a, b, a.dtype());
    }

    @Override
    public NativeTensor lt(NativeTensor a, NativeTensor b) {
        return binary(OpKind.LT, a, b, DType.BOOL);
    }

    @Override
    public NativeTensor eq(NativeTensor a, NativeTensor b) {
        return binary(OpKind.EQ, a, b, DType.BOOL);
    }

    @Override
    public NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b) {
        Shape out = Shape.broadcast("where", cond.shape(), Shape.broadcast("where", a.shape(), b.shape()));
        return op(OpKind.WHERE).in(cond, a, b).out(type(out, a.dtype(), a));
    }

    // ---- reductions ------------------------------------------------------------------------------------------

    @Override
    public NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim) {
        return reduce(OpKind.SUM, x, axes, keepDim);
    }

    @Override
    public NativeTensor max(NativeTensor x, int[] axes, boolean keepDim) {
        return reduce(OpKind.MAX, x, axes, keepDim);
    }

    private NativeTensor reduce(OpKind kind, NativeTensor x, int[] axes, boolean keepDim) {
        long[] attrs = new long[axes.length + 1];
        attrs[0] = keepDim ? 1 : 0;
        for (int i = 0; i < axes.length; i++) {
            attrs[i + 1] = axes[i];
        }
        return op(kind).in(x).attrs(attrs).out(type(Shape.reduced(x.shape(), axes, keepDim), x.dtype(), x));
    }

    @Override
    public NativeTensor argmax(NativeTensor x, int axis, boolean keepDim) {
        return op(OpKind.ARGMAX).in(x).attrs(axis, keepDim ? 1 : 0).out(type(Shape.reduced(x.shape(), new int[] {axis}, keepDim), DType.I64, x));
    }

    // ---- linear algebra ----------------------------------------------------------------------------------------

    @Override
    public NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transposeA, boolean transposeB) {
        Shape out = Shape.matmul(a.shape(), b.shape(), transposeA, transposeB);
        return op(OpKind.MATMUL).in(a, b).attrs(transposeA ? 1 : 0, transposeB ? 1 : 0).out(type(out, a.dtype(), a));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static long[] longs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
