package dev.llmforge.internal.reference;

import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.HalfFloats;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Plain-Java kernels computed in double precision and rounded to the result dtype. */
final class ReferenceKernels implements Kernels {
    private final AtomicLong live;

    ReferenceKernels(AtomicLong live) {
        this.live = live;
    }

    private RefTensor make(Shape shape, DType dtype, double[] data) {
        if (dtype != DType.F64) {
            for (int i = 0; i < data.length; i++) {
                data[i] = RefTensor.round(dtype, data[i]);
            }
        }
        return new RefTensor(shape, dtype, data, live);
    }

    private static RefTensor ref(NativeTensor t) {
        return (RefTensor) t;
    }

    private static double[] d(NativeTensor t) {
        return ref(t).data();
    }

    // ---- I/O -------------------------------------------------------------------------------------------

    @Override
    public NativeTensor fromBuffer(ByteBuffer data, Shape shape, DType dtype, Device device) {
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = shape.size();
        double[] out = new double[n];
        int p = b.position();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case F32 -> b.getFloat(p + 4 * i);
                case F64 -> b.getDouble(p + 8 * i);
                case I32 -> b.getInt(p + 4 * i);
                case I64 -> b.getLong(p + 8 * i);
                case BOOL -> b.get(p + i) != 0 ? 1 : 0;
                case F16 -> HalfFloats.f16ToFloat(b.getShort(p + 2 * i));
                case BF16 -> HalfFloats.bf16ToFloat(b.getShort(p + 2 * i));
            };
        }
        return new RefTensor(shape, dtype, out, live);
    }

    @Override
    public ByteBuffer toBuffer(NativeTensor x) {
        double[] v = d(x);
        DType dtype = x.dtype();
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double e : v) {
            switch (dtype) {
                case F32 -> b.putFloat((float) e);
                case F64 -> b.putDouble(e);
                case I32 -> b.putInt((int) e);
                case I64 -> b.putLong((long) e);
                case BOOL -> b.put((byte) (e != 0 ? 1 : 0));
                case F16 -> b.putShort(HalfFloats.floatToF16((float) e));
                case BF16 -> b.putShort(HalfFloats.floatToBf16((float) e));
            }
        }
        b.flip();
        return b;
    }

    @Override
    public NativeTensor full(Shape shape, double value, DType dtype, Device device) {
        double[] out = new double[shape.size()];
        java.util.Arrays.fill(out, value);
        return make(shape, dtype, out);
    }

    @Override
    public NativeTensor randomUniform(Shape shape, DType dtype, Device device, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] out = new double[shape.size()];
        for (int i = 0; i < out.length; i++) {
            double u = rng.nextDouble();
            out[i] = dtype == DType.F32 && (float) u == 1f ? Math.nextDown(1f) : u; // rounding to F32 must not reach 1
        }
        return make(shape, dtype, out);
    }

    @Override
    public NativeTensor randomNormal(Shape shape, DType dtype, Device device, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] out = new double[shape.size()];
        for (int i = 0; i < out.length; i += 2) {
            // Box-Muller: two independent normals per pair of uniforms
            double u1 = 1 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            out[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < out.length) {
                out[i + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
        return make(shape, dtype, out);
    }

    @Override
    public NativeTensor cast(NativeTensor x, DType dtype) {
        return make(x.shape(), dtype, d(x).clone());
    }

    // ---- movement -----------------------------------------------------------------------------------------

    @Override
    public NativeTensor reshape(NativeTensor x, Shape shape) {
        return new RefTensor(shape, x.dtype(), d(x), live);
    }

    @Override
    public NativeTensor permute(NativeTensor x, int[] axes) {
        int[] strides = new int[axes.length];
        long[] inStrides = x.shape().strides();
        for (int i = 0; i < axes.length; i++) {
            strides[i] = (int) inStrides[axes[i]];
        }
        Shape out = Shape.permuted(x.shape(), axes);
        return gatherOffsets(x, out, Indexing.offsets(out, strides));
    }

    @Override
    public NativeTensor expand(NativeTensor x, Shape shape) {
        return gatherOffsets(x, shape, Indexing.broadcastOffsets(x.shape(), shape));
    }

    @Override
    public NativeTensor slice(NativeTensor x, int axis, int start, int end) {
        Shape in = x.shape();
        Shape out = in.with(axis, end - start);
        long[] inStrides = in.strides();
        int[] strides = new int[in.rank()];
        for (int i = 0; i < strides.length; i++) {
            strides[i] = (int) inStrides[i];
        }
        int[] offsets = Indexing.offsets(out, strides);
        int base = (int) (start * inStrides[axis]);
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] += base;
        }
        return gatherOffsets(x, out, offsets);
    }

    @Override
    public NativeTensor concat(List<NativeTensor> xs, int axis) {
        Shape first = xs.get(0).shape();
        Shape out = Shape.concatenated(xs.stream().map(NativeTensor::shape).toList(), axis);
        double[] result = new double[out.size()];
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= first.dim(i);
        }
        int inner = 1;
        for (int i = axis + 1; i < first.rank(); i++) {
            inner *= first.dim(i);
        }
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (NativeTensor t : xs) {
                int block = t.shape().dim(axis) * inner;
                System.arraycopy(d(t), o * block, result, pos, block);
                pos += block;
            }
        }
        return new RefTensor(out, xs.get(0).dtype(), result, live);
    }

    @Override
    public NativeTensor gather(NativeTensor src, int axis, NativeTensor indices) {
        Shape s = src.shape();
        int outer = prod(s, 0, axis);
        int size = s.dim(axis);
        int inner = prod(s, axis + 1, s.rank());
        double[] idx = d(indices);
        double[] in = d(src);
        double[] out = new double[outer * idx.length * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (double id : idx) {
                System.arraycopy(in, (o * size + (int) id) * inner, out, pos, inner);
                pos += inner;
            }
        }
        return new RefTensor(Shape.gathered(s, axis, indices.shape()), src.dtype(), out, live);
    }

    @Override
    public NativeTensor scatterAdd(Shape shape, int axis, NativeTensor indices, NativeTensor updates) {
        int outer = prod(shape, 0, axis);
        int size = shape.dim(axis);
        int inner = prod(shape, axis + 1, shape.rank());
        double[] idx = d(indices);
        double[] up = d(updates);
        double[] out = new double[shape.size()];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (double id : idx) {
                int base = (o * size + (int) id) * inner;
                for (int i = 0; i < inner; i++) {
                    out[base + i] += up[pos++];
                }
            }
        }
        return make(shape, updates.dtype(), out);
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    @Override
    public NativeTensor neg(NativeTensor x) {
        return map(x, v -> -v);
    }

    @Override
    public NativeTensor exp(NativeTensor x) {
        return map(x, Math::exp);
    }

    @Override
    public NativeTensor log(NativeTensor x) {
        return map(x, Math::log);
    }

    @Override
    public NativeTensor sqrt(NativeTensor x) {
        return map(x, Math::sqrt);
    }

    @Override
    public NativeTensor tanh(NativeTensor x) {
        return map(x, Math::tanh);
    }

    @Override
    public NativeTensor reciprocal(NativeTensor x) {
        return map(x, v -> 1 / v);
    }

    @Override
    public NativeTensor erf(NativeTensor x) {
        return map(x, Erf::erf);
    }

    @Override
    public NativeTensor add(NativeTensor a, NativeTensor b) {
        return zip(a, b, a.dtype(), Double::sum);
    }

    @Override
    public NativeTensor sub(NativeTensor a, NativeTensor b) {
        return zip(a, b, a.dtype(), (x, y) -> x - y);
    }

    @Override
    public NativeTensor mul(NativeTensor a, NativeTensor b) {
        return zip(a, b, a.dtype(), (x, y) -> x * y);
    }

    @Override
    public NativeTensor div(NativeTensor a, NativeTensor b) {
        if (a.dtype().isInteger()) {
            return zip(a, b, a.dtype(), (x, y) -> {
                if (y == 0) {
                    throw new ArithmeticException("integer division by zero");
                }
                return (double) ((long) x / (long) y);
            });
        }
        return zip(a, b, a.dtype(), (x, y) -> x / y);
    }

    @Override
    public NativeTensor maximum(NativeTensor a, NativeTensor b) {
        return zip(a, b, a.dtype(), (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y));
    }

    @Override
    public NativeTensor lt(NativeTensor a, NativeTensor b) {
        return zip(a, b, DType.BOOL, (x, y) -> x < y ? 1 : 0);
    }

    @Override
    public NativeTensor eq(NativeTensor a, NativeTensor b) {
        return zip(a, b, DType.BOOL, (x, y) -> x == y ? 1 : 0);
    }

    @Override
    public NativeTensor where(NativeTensor cond, NativeTensor a, NativeTensor b) {
        Shape out = Shape.broadcast("where", cond.shape(), Shape.broadcast("where", a.shape(), b.shape()));
        int[] oc = Indexing.broadcastOffsets(cond.shape(), out);
        int[] oa = Indexing.broadcastOffsets(a.shape(), out);
        int[] ob = Indexing.broadcastOffsets(b.shape(), out);
        double[] c = d(cond);
        double[] va = d(a);
        double[] vb = d(b);
        double[] r = new double[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = c[oc[i]] != 0 ? va[oa[i]] : vb[ob[i]];
        }
        return new RefTensor(out, a.dtype(), r, live);
    }

    // ---- reductions --------------------------------------------------------------------------------------------

    @Override
    public NativeTensor sum(NativeTensor x, int[] axes, boolean keepDim) {
        Shape out = Shape.reduced(x.shape(), axes, keepDim);
        double[] r = new double[out.size()];
        int[] target = Indexing.reductionTargets(x.shape(), axes);
        double[] v = d(x);
        for (int i = 0; i < v.length; i++) {
            r[target[i]] += v[i];
        }
        return make(out, x.dtype(), r);
    }

    @Override
    public NativeTensor max(NativeTensor x, int[] axes, boolean keepDim) {
        Shape out = Shape.reduced(x.shape(), axes, keepDim);
        double[] r = new double[out.size()];
        java.util.Arrays.fill(r, Double.NEGATIVE_INFINITY);
        int[] target = Indexing.reductionTargets(x.shape(), axes);
        double[] v = d(x);
        for (int i = 0; i < v.length; i++) {
            double cur = r[target[i]];
            r[target[i]] = Double.isNaN(v[i]) || Double.isNaN(cur) ? Double.NaN : Math.max(cur, v[i]);
        }
        return new RefTensor(out, x.dtype(), r, live);
    }

    @Override
    public NativeTensor argmax(NativeTensor x, int axis, boolean keepDim) {
        Shape s = x.shape();
        Shape out = Shape.reduced(s, new int[] {axis}, keepDim);
        int outer = prod(s, 0, axis);
        int size = s.dim(axis);
        int inner = prod(s, axis + 1, s.rank());
        double[] v = d(x);
        double[] r = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                double bestValue = v[o * size * inner + i];
                for (int j = 1; j < size; j++) {
                    double c = v[(o * size + j) * inner + i];
                    if (c > bestValue || (Double.isNaN(c) && !Double.isNaN(bestValue))) {
                        best = j;
                        bestValue = c;
                    }
                }
                r[o * inner + i] = best;
            }
        }
        return new RefTensor(out, DType.I64, r, live);
    }

    // ---- matmul ---------------------------------------------------------------------------------------------------

    @Override
    public NativeTensor matmul(NativeTensor a, NativeTensor b, boolean transA, boolean transB) {
        Shape sa = a.shape();
        Shape sb = b.shape();
        int m = sa.dim(transA ? -1 : -2);
        int k = sa.dim(transA ? -2 : -1);
        int n = sb.dim(transB ? -2 : -1);
        Shape out = Shape.matmul(sa, sb, transA, transB);
        Shape batch = out.dropLast(2);
        int[] batchA = Indexing.broadcastOffsets(sa.dropLast(2), batch);
        int[] batchB = Indexing.broadcastOffsets(sb.dropLast(2), batch);
        double[] va = d(a);
        double[] vb = d(b);
        double[] r = new double[out.size()];
        int matA = sa.dim(-1) * sa.dim(-2);
        int matB = sb.dim(-1) * sb.dim(-2);
        int colsA = sa.dim(-1);
        int colsB = sb.dim(-1);
        double[] row = new double[n];
        for (int bi = 0; bi < batch.size(); bi++) {
            int baseA = batchA[bi] * matA;
            int baseB = batchB[bi] * matB;
            int baseR = bi * m * n;
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(row, 0);
                for (int p = 0; p < k; p++) {
                    double av = transA ? va[baseA + p * colsA + i] : va[baseA + i * colsA + p];
                    if (av == 0) {
                        continue;
                    }
                    for (int j = 0; j < n; j++) {
                        double bv = transB ? vb[baseB + j * colsB + p] : vb[baseB + p * colsB + j];
                        row[j] += av * bv;
                    }
                }
                System.arraycopy(row, 0, r, baseR + i * n, n);
            }
        }
        return make(out, a.dtype(), r);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private RefTensor gatherOffsets(NativeTensor x, Shape out, int[] offsets) {
        double[] v = d(x);
        double[] r = new double[offsets.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = v[offsets[i]];
        }
        return new RefTensor(out, x.dtype(), r, live);
    }

    private RefTensor map(NativeTensor x, DoubleUnaryOperator f) {
        double[] v = d(x);
        double[] r = new double[v.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(v[i]);
        }
        return make(x.shape(), x.dtype(), r);
    }

    private RefTensor zip(NativeTensor a, NativeTensor b, DType outType, DoubleBinaryOperator f) {
        Shape out = Shape.broadcast("zip", a.shape(), b.shape());
        double[] va = d(a);
        double[] vb = d(b);
        double[] r = new double[out.size()];
        if (a.shape().equals(out) && b.shape().equals(out)) {
            for (int i = 0; i < r.length; i++) {
                r[i] = f.applyAsDouble(va[i], vb[i]);
            }
        } else {
            int[] oa = Indexing.broadcastOffsets(a.shape(), out);
            int[] ob = Indexing.broadcastOffsets(b.shape(), out);
            for (int i = 0; i < r.length; i++) {
                r[i] = f.applyAsDouble(va[oa[i]], vb[ob[i]]);
            }
        }
        return make(out, outType, r);
    }

    private static int prod(Shape s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= s.dim(i);
        }
        return p;
    }
}
