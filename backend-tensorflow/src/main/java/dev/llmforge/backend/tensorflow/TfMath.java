package dev.llmforge.backend.tensorflow;

import static dev.llmforge.spi.GeluConstants.CUBIC_COEFFICIENT;
import static dev.llmforge.spi.GeluConstants.INV_SQRT_2;
import static dev.llmforge.spi.GeluConstants.INV_SQRT_2PI;
import static dev.llmforge.spi.GeluConstants.SQRT_2_OVER_PI;

import dev.llmforge.spi.capture.OpKind;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.HalfFloats;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Every llmforge kernel written once as TensorFlow ops, over {@link TfValue}s: run eagerly by
 * {@link TfKernels}/{@link TfFusedKernels} and added to a graph by {@link TfCompiler}, so a
 * captured step computes with exactly the ops an eager one uses. Arguments are already validated
 * by core.
 */
final class TfMath {

    private final Emitter e;

    TfMath(Emitter e) {
        this.e = e;
    }

    // ---- constants -------------------------------------------------------------------------------------

    /** A rank-0 constant of {@code dtype}. */
    TfValue scalar(double value, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.putFloat((float) value);
            case F64 -> b.putDouble(value);
            case I32 -> b.putInt((int) value);
            case I64 -> b.putLong((long) value);
            case BOOL -> b.put((byte) (value != 0 ? 1 : 0));
            case F16 -> b.putShort(HalfFloats.floatToF16((float) value));
            case BF16 -> b.putShort(HalfFloats.floatToBf16((float) value));
        }
        return e.constant(Shape.scalar(), dtype, b.flip());
    }

    /** An I64 vector constant. */
    TfValue longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return e.constant(Shape.of(values.length), DType.I64, b.flip());
    }

    TfValue longs(int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = values[i];
        }
        return longs(l);
    }

    /** The dims of {@code shape} as an I64 vector (TensorFlow's shape arguments). */
    TfValue dims(Shape shape) {
        return longs(shape.dims());
    }

    private TfValue axisScalar(int axis) {
        return scalar(axis, DType.I64);
    }

    // ---- sources -------------------------------------------------------------------------------------------

    /** {@code shape} filled with the rank-0 {@code value} (of the result's dtype). */
    TfValue fill(Shape shape, TfValue value) {
        return e.op("Fill").in(dims(shape)).in(value).build();
    }

    /** Uniform [0, 1) values from the I64 pair {@code seed}; the same seed gives the same values. */
    TfValue randomUniform(Shape shape, DType dtype, TfValue seed) {
        return e.op("StatelessRandomUniform").in(dims(shape)).in(seed).attr("dtype", dtype).build();
    }

    TfValue randomNormal(Shape shape, DType dtype, TfValue seed) {
        return e.op("StatelessRandomNormal").in(dims(shape)).in(seed).attr("dtype", dtype).build();
    }

    TfValue cast(TfValue x, DType dtype) {
        return e.op("Cast").in(x).attr("DstT", dtype).build();
    }

    /**
     * An F64 value converted to {@code dtype} exactly as {@link #scalar} converts a Java double
     * (half formats through F32), so fed numbers equal the eager kernels' constants.
     */
    TfValue castLikeScalar(TfValue f64, DType dtype) {
        return switch (dtype) {
            case F64 -> f64;
            case F16, BF16 -> cast(cast(f64, DType.F32), dtype);
            default -> cast(f64, dtype);
        };
    }

    // ---- movement ------------------------------------------------------------------------------------------

    TfValue reshape(TfValue x, Shape shape) {
        return e.op("Reshape").in(x).in(dims(shape)).build();
    }

    TfValue permute(TfValue x, int[] axes) {
        return e.op("Transpose").in(x).in(longs(axes)).build();
    }

    TfValue expand(TfValue x, Shape shape) {
        return e.op("BroadcastTo").in(x).in(dims(shape)).build();
    }

    TfValue slice(TfValue x, int axis, int start, int end) {
        long[] begin = new long[x.shape().rank()];
        long[] size = new long[begin.length];
        for (int i = 0; i < begin.length; i++) {
            size[i] = i == axis ? end - start : x.shape().dim(i);
        }
        begin[axis] = start;
        return e.op("Slice").in(x).in(longs(begin)).in(longs(size)).build();
    }

    TfValue concat(List<? extends TfValue> xs, int axis) {
        return e.op("ConcatV2").inList(xs).in(axisScalar(axis)).build();
    }

    /** NumPy take along {@code axis}. */
    TfValue gather(TfValue src, int axis, TfValue indices) {
        return e.op("GatherV2").in(src).in(indices).in(axisScalar(axis)).build();
    }

    /**
     * The gradient of {@link #gather}: {@code updates} (outer, idx..., inner) summed into a zero
     * tensor of {@code shape} at the indices along {@code axis}, as an unsorted segment sum over
     * the index axis brought to the front.
     */
    TfValue scatterAdd(Shape shape, int axis, TfValue indices, TfValue updates) {
        int outer = prod(shape, 0, axis);
        int size = shape.dim(axis);
        int inner = prod(shape, axis + 1, shape.rank());
        int n = Math.toIntExact(indices.shape().numel());
        TfValue u = reshape(updates, Shape.of(outer, n, inner));
        if (outer > 1) {
            u = permute(u, new int[] {1, 0, 2}); // (n, outer, inner)
        } else {
            u = reshape(u, Shape.of(n, 1, inner));
        }
        TfValue segments = e.op("UnsortedSegmentSum").in(u).in(reshape(indices, Shape.of(n))).in(scalar(size, DType.I64)).build();
        if (outer > 1) {
            segments = permute(segments, new int[] {1, 0, 2}); // (outer, size, inner)
        }
        return reshape(segments, shape);
    }

    // ---- element-wise ----------------------------------------------------------------------------------------

    /** TensorFlow's op for each element-wise kind of the capture IR. */
    static String elementwiseOp(OpKind kind, DType dtype) {
        return switch (kind) {
            case NEG -> "Neg";
            case EXP -> "Exp";
            case LOG -> "Log";
            case SQRT -> "Sqrt";
            case TANH -> "Tanh";
            case RECIPROCAL -> "Reciprocal";
            case ERF -> "Erf";
            case ADD -> "AddV2";
            case SUB -> "Sub";
            case MUL -> "Mul";
            case DIV -> dtype.isFloating() ? "RealDiv" : "TruncateDiv"; // integers truncate toward zero
            case MAXIMUM -> "Maximum";
            case LT -> "Less";
            case EQ -> "Equal";
            default -> throw new IllegalArgumentException(kind + " is not an element-wise op");
        };
    }

    /** NEG, EXP, LOG, SQRT, TANH, RECIPROCAL or ERF. */
    TfValue unary(OpKind kind, TfValue x) {
        return op1(elementwiseOp(kind, x.dtype()), x);
    }

    /** ADD, SUB, MUL, DIV, MAXIMUM, LT or EQ, broadcasting. */
    TfValue binary(OpKind kind, TfValue a, TfValue b) {
        return op2(elementwiseOp(kind, a.dtype()), a, b);
    }

    private TfValue op1(String op, TfValue x) {
        return e.op(op).in(x).build();
    }

    private TfValue op2(String op, TfValue a, TfValue b) {
        return e.op(op).in(a).in(b).build();
    }

    private TfValue add(TfValue a, TfValue b) {
        return op2("AddV2", a, b);
    }

    private TfValue sub(TfValue a, TfValue b) {
        return op2("Sub", a, b);
    }

    private TfValue mul(TfValue a, TfValue b) {
        return op2("Mul", a, b);
    }

    private TfValue div(TfValue a, TfValue b) {
        return binary(OpKind.DIV, a, b);
    }

    TfValue where(TfValue cond, TfValue a, TfValue b) {
        return e.op("SelectV2").in(cond).in(a).in(b).build();
    }

    // ---- reductions ------------------------------------------------------------------------------------------

    TfValue sum(TfValue x, int[] axes, boolean keepDim) {
        return reduce("Sum", x, axes, keepDim);
    }

    TfValue max(TfValue x, int[] axes, boolean keepDim) {
        return reduce("Max", x, axes, keepDim);
    }

    /** Sum, Max or Mean over {@code axes}. */
    private TfValue reduce(String op, TfValue x, int[] axes, boolean keepDim) {
        return e.op(op).in(x).in(longs(axes)).attr("keep_dims", keepDim).build();
    }

    TfValue argmax(TfValue x, int axis, boolean keepDim) {
        TfValue r = e.op("ArgMax").in(x).in(axisScalar(axis)).attr("output_type", DType.I64).build();
        return keepDim ? reshape(r, x.shape().with(axis, 1)) : r;
    }

    // ---- linear algebra ----------------------------------------------------------------------------------------

    /** Matrix product of the last two dims with broadcast batch dims; MatMul for plain matrices. */
    TfValue matmul(TfValue a, TfValue b, boolean transposeA, boolean transposeB) {
        if (a.shape().rank() == 2 && b.shape().rank() == 2) {
            return e.op("MatMul").in(a).in(b).attr("transpose_a", transposeA).attr("transpose_b", transposeB).build();
        }
        if (a.dtype() == DType.F16) { // TensorFlow has no F16 batched matmul on the CPU: compute in F32, round once
            return cast(matmul(cast(a, DType.F32), cast(b, DType.F32), transposeA, transposeB), DType.F16);
        }
        return e.op("BatchMatMulV3").in(a).in(b).attr("Tout", a.dtype()).attr("adj_x", transposeA).attr("adj_y", transposeB).build();
    }

    // ---- softmax cross-entropy ----------------------------------------------------------------------------------

    /**
     * Mean cross-entropy of logits (N, V) against targets (N) over the targets that are not
     * {@code ignoreIndex}: TensorFlow's sparse softmax cross-entropy on the kept rows. Returns
     * {loss (rank 0), softmax minus one-hot (N, V), per-row weight (N)}.
     */
    TfValue[] softmaxCrossEntropy(TfValue logits, TfValue targets, long ignoreIndex) {
        DType dt = logits.dtype();
        TfValue keep = op2("NotEqual", targets, scalar(ignoreIndex, targets.dtype())); // (N) BOOL
        TfValue safeTargets = where(keep, targets, scalar(0, targets.dtype()));
        TfValue[] lossAndGrad = e.op("SparseSoftmaxCrossEntropyWithLogits").in(logits).in(safeTargets).build(2);
        TfValue keepF = cast(keep, dt);
        TfValue count = op2("Maximum", reduce("Sum", keepF, new int[] {0}, false), scalar(1, dt));
        TfValue weight = div(keepF, count); // (N)
        TfValue loss = reduce("Sum", mul(lossAndGrad[0], weight), new int[] {0}, false);
        return new TfValue[] {loss, lossAndGrad[1], weight};
    }

    /** d loss / d logits from the forward's {@code softmaxMinusOneHot} and {@code weight}. */
    TfValue softmaxCrossEntropyBackward(TfValue softmaxMinusOneHot, TfValue weight, TfValue gradLoss) {
        TfValue column = reshape(weight, Shape.of(weight.shape().dim(0), 1));
        return mul(mul(softmaxMinusOneHot, column), gradLoss);
    }

    // ---- layer norm -----------------------------------------------------------------------------------------------

    /** {mean, 1/sqrt(var + eps)} over the last axis, kept as (..., 1). */
    TfValue[] layerNormStats(TfValue x, double eps) {
        int[] last = {x.shape().rank() - 1};
        TfValue mean = reduce("Mean", x, last, true);
        TfValue var = reduce("Mean", op2("SquaredDifference", x, mean), last, true);
        TfValue rstd = op1("Rsqrt", add(var, scalar(eps, x.dtype())));
        return new TfValue[] {mean, rstd};
    }

    /** (x - mean) * rstd * weight + bias; weight and bias may be null. */
    TfValue layerNorm(TfValue x, TfValue weight, TfValue bias, TfValue mean, TfValue rstd) {
        TfValue y = mul(sub(x, mean), rstd);
        if (weight != null) {
            y = mul(y, weight);
        }
        return bias != null ? add(y, bias) : y;
    }

    /** {dx, dweight or null, dbias or null}. */
    TfValue[] layerNormBackward(TfValue x, TfValue weight, TfValue bias, TfValue mean, TfValue rstd, TfValue gradOut) {
        int rank = x.shape().rank();
        int[] last = {rank - 1};
        int[] outer = new int[rank - 1];
        for (int i = 0; i < outer.length; i++) {
            outer[i] = i;
        }
        TfValue xhat = mul(sub(x, mean), rstd);
        TfValue dxhat = weight != null ? mul(gradOut, weight) : gradOut;
        TfValue meanD = reduce("Mean", dxhat, last, true);
        TfValue meanDx = reduce("Mean", mul(dxhat, xhat), last, true);
        TfValue dx = mul(sub(sub(dxhat, meanD), mul(xhat, meanDx)), rstd);
        TfValue dw = weight != null ? reduce("Sum", mul(gradOut, xhat), outer, false) : null;
        TfValue db = bias != null ? reduce("Sum", gradOut, outer, false) : null;
        return new TfValue[] {dx, dw, db};
    }

    // ---- GELU -------------------------------------------------------------------------------------------------------

    TfValue gelu(TfValue x, boolean tanhApproximation) {
        return mul(x, geluCdf(x, tanhApproximation));
    }

    TfValue geluBackward(TfValue x, boolean tanhApproximation, TfValue gradOut) {
        DType dt = x.dtype();
        TfValue derivative;
        if (tanhApproximation) {
            // 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) c (1 + 3 a x^2),  u = c (x + a x^3)
            TfValue x2 = mul(x, x);
            TfValue th = op1("Tanh", mul(add(x, mul(mul(x2, x), scalar(CUBIC_COEFFICIENT, dt))), scalar(SQRT_2_OVER_PI, dt)));
            TfValue left = mul(add(th, scalar(1, dt)), scalar(0.5, dt));
            TfValue sech2 = sub(scalar(1, dt), mul(th, th));
            TfValue du = mul(add(mul(x2, scalar(3 * CUBIC_COEFFICIENT, dt)), scalar(1, dt)), scalar(SQRT_2_OVER_PI, dt));
            derivative = add(left, mul(mul(mul(x, scalar(0.5, dt)), sech2), du));
        } else {
            // Phi(x) + x phi(x)
            TfValue pdf = mul(op1("Exp", mul(mul(x, x), scalar(-0.5, dt))), scalar(INV_SQRT_2PI, dt));
            derivative = add(geluCdf(x, false), mul(x, pdf));
        }
        return mul(gradOut, derivative);
    }

    /** 0.5 (1 + tanh(c (x + a x^3))) or 0.5 (1 + erf(x / sqrt 2)). */
    private TfValue geluCdf(TfValue x, boolean tanhApproximation) {
        DType dt = x.dtype();
        TfValue inner = tanhApproximation
                ? op1("Tanh", mul(add(x, mul(mul(mul(x, x), x), scalar(CUBIC_COEFFICIENT, dt))), scalar(SQRT_2_OVER_PI, dt)))
                : op1("Erf", mul(x, scalar(INV_SQRT_2, dt)));
        return mul(add(inner, scalar(1, dt)), scalar(0.5, dt));
    }

    // ---- softmax ----------------------------------------------------------------------------------------------------

    TfValue softmax(TfValue x) {
        return op1("Softmax", x);
    }

    TfValue softmaxBackward(TfValue y, TfValue gradOut) {
        TfValue dot = reduce("Sum", mul(gradOut, y), new int[] {y.shape().rank() - 1}, true);
        return mul(y, sub(gradOut, dot));
    }

    // ---- AdamW ------------------------------------------------------------------------------------------------------

    /**
     * The rank-0 factors of one AdamW step, in the parameter's dtype: {@code decay = 1 - lr wd},
     * {@code stepSize = lr / (1 - beta1^t)}, {@code invSqrtBc2 = 1 / sqrt(1 - beta2^t)}.
     */
    record AdamFactors(TfValue decay, TfValue beta1, TfValue oneMinusBeta1, TfValue beta2, TfValue oneMinusBeta2,
                       TfValue stepSize, TfValue invSqrtBc2, TfValue eps) {
    }

    /**
     * The factors computed in the graph from the fed F64 hyper-parameters and I64 step, with the
     * same F64 arithmetic as the host computation of the eager kernel.
     */
    AdamFactors adamFactors(TfValue lr, TfValue beta1, TfValue beta2, TfValue eps, TfValue weightDecay, TfValue step, DType dtype) {
        TfValue one = scalar(1, DType.F64);
        TfValue t = cast(step, DType.F64);
        TfValue bc1 = sub(one, op2("Pow", beta1, t));
        TfValue bc2 = sub(one, op2("Pow", beta2, t));
        return new AdamFactors(castLikeScalar(sub(one, mul(lr, weightDecay)), dtype), castLikeScalar(beta1, dtype),
                castLikeScalar(sub(one, beta1), dtype), castLikeScalar(beta2, dtype), castLikeScalar(sub(one, beta2), dtype),
                castLikeScalar(div(lr, bc1), dtype), castLikeScalar(div(one, op1("Sqrt", bc2)), dtype), castLikeScalar(eps, dtype));
    }

    /** {param, m, v} after one step (PyTorch's AdamW, in the same order of operations as core's default). */
    TfValue[] adamW(TfValue param, TfValue grad, TfValue m, TfValue v, AdamFactors f) {
        TfValue m1 = add(mul(m, f.beta1()), mul(grad, f.oneMinusBeta1()));
        TfValue v1 = add(mul(v, f.beta2()), mul(mul(grad, grad), f.oneMinusBeta2()));
        TfValue denom = add(mul(op1("Sqrt", v1), f.invSqrtBc2()), f.eps());
        TfValue p1 = sub(mul(param, f.decay()), mul(div(m1, denom), f.stepSize()));
        return new TfValue[] {p1, m1, v1};
    }

    private static int prod(Shape s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= s.dim(i);
        }
        return p;
    }
}
