package dev.llmforge.backend.djl;

import static dev.llmforge.backend.djl.DjlKernels.a;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The fused pairs on PyTorch, each a single kernel call from core's point of view:
 *
 * <ul>
 *   <li>softmax: PyTorch's softmax forward; backward {@code y (g - sum(g y))} in place on one temporary;</li>
 *   <li>softmax cross-entropy: PyTorch's log_softmax and gather; backward {@code (p - onehot) w g} with one scatter;</li>
 *   <li>layer norm: PyTorch's layer_norm; backward through PyTorch's own autograd (its native layer-norm backward);</li>
 *   <li>GELU: exact GELU is PyTorch's gelu both ways (backward through its autograd); DJL does not expose the
 *       tanh form, so that one is composed in place from PyTorch ops, as {@code x sigmoid(2u)};</li>
 *   <li>causal attention: matmul, in-place mask and scale, PyTorch softmax, matmul (no fused attention op is
 *       exposed by DJL); backward the matching matmuls;</li>
 *   <li>AdamW: DJL's in-place Adam update (F32) with its hyper-parameters rewritten to match
 *       {@code torch.optim.AdamW}; F64 composed from in-place ops.</li>
 * </ul>
 */
final class DjlFusedKernels extends FusedKernels {
    static final Set<FusedOp> NATIVE = EnumSet.of(FusedOp.SOFTMAX, FusedOp.SOFTMAX_CROSS_ENTROPY, FusedOp.LAYER_NORM,
            FusedOp.GELU, FusedOp.CAUSAL_ATTENTION, FusedOp.ADAMW_UPDATE);

    private static final ai.djl.Device CPU = ai.djl.Device.cpu();
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_C = 0.044715;

    private final DjlKernels djl;
    private final Constants constants;

    DjlFusedKernels(DjlKernels kernels) {
        super(kernels);
        this.djl = kernels;
        this.constants = kernels.constants();
        constants.preload(new double[] {1, 3 * GELU_C, 2 * SQRT_2_OVER_PI, 2 * SQRT_2_OVER_PI * GELU_C, Double.NEGATIVE_INFINITY},
                DType.F32, DType.F64);
        constants.preload(new double[] {0}, DType.I64);
    }

    // ---- softmax ----------------------------------------------------------------------------------

    @Override
    public Result softmax(NativeTensor x) {
        int last = x.shape().rank() - 1;
        return new Result(DjlTensor.fresh(JniUtils.softmax(a(x), last, DTypes.djl(x.dtype())), x.shape(), x.dtype()));
    }

    @Override
    public NativeTensor softmaxBackward(Result forward, NativeTensor gradOut) {
        NativeTensor y = forward.output();
        int last = y.shape().rank() - 1;
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray dot = tmp.t(JniUtils.sum(tmp.t(JniUtils.mul(a(gradOut), a(y))), new long[] {last}, true));
            PtNDArray dx = JniUtils.sub(a(gradOut), dot);
            JniUtils.muli(dx, a(y));
            return DjlTensor.fresh(dx, y.shape(), y.dtype());
        }
    }

    // ---- softmax cross-entropy ----------------------------------------------------------------------

    @Override
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex) {
        int n = logits.shape().dim(0);
        DType dtype = logits.dtype();
        DataType dataType = DTypes.djl(dtype);
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray logp = JniUtils.logSoftmax(a(logits), 1, dataType); // (N, V)
            PtNDArray t64 = targets.dtype() == DType.I64 ? a(targets) : tmp.t(JniUtils.to(a(targets), DataType.INT64, CPU));
            PtNDArray keep = tmp.t(JniUtils.neq(t64, tmp.t(djl.scalar(ignoreIndex, DType.I64)))); // (N) BOOL
            PtNDArray safe = tmp.t(JniUtils.where(keep, t64, constants.of(0, DType.I64)));
            PtNDArray column = JniUtils.reshape(safe, new long[] {n, 1}); // (N, 1) I64, saved
            PtNDArray keepF = tmp.t(JniUtils.to(keep, dataType, CPU));
            PtNDArray count = tmp.t(JniUtils.max(tmp.t(JniUtils.sum(keepF)), constants.of(1, dtype)));
            PtNDArray weight = JniUtils.reshape(tmp.t(JniUtils.div(keepF, count)), new long[] {n, 1}); // (N, 1), saved
            PtNDArray picked = tmp.t(JniUtils.gather(logp, column, 1)); // (N, 1)
            PtNDArray loss = JniUtils.neg(tmp.t(JniUtils.sum(tmp.t(JniUtils.mul(picked, weight)))));
            return new Result(DjlTensor.fresh(loss, Shape.scalar(), dtype), List.of(
                    DjlTensor.fresh(logp, logits.shape(), dtype),
                    DjlTensor.fresh(column, Shape.of(n, 1), DType.I64),
                    DjlTensor.fresh(weight, Shape.of(n, 1), dtype)));
        }
    }

    @Override
    public NativeTensor softmaxCrossEntropyBackward(NativeTensor logits, NativeTensor targets, long ignoreIndex,
                                                    Result forward, NativeTensor gradLoss) {
        PtNDArray column = a(forward.saved(1));
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray p = tmp.t(JniUtils.exp(a(forward.saved(0)))); // (N, V)
            PtNDArray target = tmp.t(JniUtils.gather(p, column, 1)); // (N, 1)
            JniUtils.subi(target, constants.of(1, logits.dtype()));
            PtNDArray d = JniUtils.scatter(p, column, target, 1); // p - onehot
            JniUtils.muli(d, a(forward.saved(2)));
            JniUtils.muli(d, a(gradLoss));
            return DjlTensor.fresh(d, logits.shape(), logits.dtype());
        }
    }

    // ---- layer norm -------------------------------------------------------------------------------------

    @Override
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps) {
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray w = weight != null ? a(weight) : tmp.t(ones(x));
            PtNDArray b = bias != null ? a(bias) : tmp.t(zeros(x));
            PtNDArray y = JniUtils.layerNorm(a(x), normalizedShape(x), w, b, eps);
            return new Result(DjlTensor.fresh(y, x.shape(), x.dtype()));
        }
    }

    @Override
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps,
                                            Result forward, NativeTensor gradOut) {
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = new TorchAutograd()) {
            PtNDArray xl = tmp.t(autograd.leaf(a(x)));
            PtNDArray wl = tmp.t(weight != null ? autograd.leaf(a(weight)) : ones(x));
            PtNDArray bl = tmp.t(bias != null ? autograd.leaf(a(bias)) : zeros(x));
            PtNDArray y = tmp.t(JniUtils.layerNorm(xl, normalizedShape(x), wl, bl, eps));
            autograd.backward(y, a(gradOut));
            return new NativeTensor[] {
                DjlTensor.fresh(autograd.gradient(xl), x.shape(), x.dtype()),
                weight == null ? null : DjlTensor.fresh(autograd.gradient(wl), weight.shape(), x.dtype()),
                bias == null ? null : DjlTensor.fresh(autograd.gradient(bl), bias.shape(), x.dtype())};
        }
    }

    private static ai.djl.ndarray.types.Shape normalizedShape(NativeTensor x) {
        return new ai.djl.ndarray.types.Shape(x.shape().dim(-1));
    }

    private PtNDArray ones(NativeTensor x) {
        return djl.fullArray(Shape.of(x.shape().dim(-1)), 1, x.dtype());
    }

    private PtNDArray zeros(NativeTensor x) {
        return djl.fullArray(Shape.of(x.shape().dim(-1)), 0, x.dtype());
    }

    // ---- GELU ---------------------------------------------------------------------------------------------

    @Override
    public Result gelu(NativeTensor x, boolean tanhApproximation) {
        PtNDArray y = tanhApproximation ? geluTanh(a(x), x.dtype()) : JniUtils.gelu(a(x));
        return new Result(DjlTensor.fresh(y, x.shape(), x.dtype()));
    }

    @Override
    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        PtNDArray dx = tanhApproximation ? geluTanhBackward(a(x), x.dtype(), a(gradOut)) : geluExactBackward(a(x), a(gradOut));
        return DjlTensor.fresh(dx, x.shape(), x.dtype());
    }

    /**
     * x * 0.5 (1 + tanh(u)), u = c (x + a x^3), computed as x * sigmoid(2u): the same function, and
     * PyTorch's CPU sigmoid is several times faster than its tanh.
     */
    private PtNDArray geluTanh(PtNDArray x, DType dtype) {
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray u2 = tmp.t(JniUtils.mul(x, x));
            JniUtils.muli(u2, constants.of(2 * SQRT_2_OVER_PI * GELU_C, dtype));
            finishTwiceGeluArgument(u2, x, dtype);
            return JniUtils.mul(x, tmp.t(JniUtils.sigmoid(u2)));
        }
    }

    /** g (s + x s (1 - s) 2c (1 + 3 a x^2)) with s = sigmoid(2u), the derivative of x sigmoid(2u). */
    private PtNDArray geluTanhBackward(PtNDArray x, DType dtype, PtNDArray g) {
        PtNDArray one = constants.of(1, dtype);
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray x2 = tmp.t(JniUtils.mul(x, x));
            PtNDArray u2 = tmp.t(JniUtils.mul(x2, constants.of(2 * SQRT_2_OVER_PI * GELU_C, dtype)));
            finishTwiceGeluArgument(u2, x, dtype);
            PtNDArray s = tmp.t(JniUtils.sigmoid(u2));
            PtNDArray derivative = tmp.t(JniUtils.mul(s, s));
            JniUtils.negi(derivative);
            JniUtils.addi(derivative, s); // s (1 - s)
            JniUtils.muli(x2, constants.of(3 * GELU_C, dtype));
            JniUtils.addi(x2, one);
            JniUtils.muli(x2, constants.of(2 * SQRT_2_OVER_PI, dtype)); // 2c (1 + 3 a x^2)
            JniUtils.muli(derivative, x2);
            JniUtils.muli(derivative, x);
            JniUtils.addi(derivative, s);
            return JniUtils.mul(g, derivative);
        }
    }

    /** Turns {@code t = 2ca x^2} into 2u = x (2c + 2ca x^2) = 2c (x + a x^3), in place. */
    private void finishTwiceGeluArgument(PtNDArray t, PtNDArray x, DType dtype) {
        JniUtils.addi(t, constants.of(2 * SQRT_2_OVER_PI, dtype));
        JniUtils.muli(t, x);
    }

    private static PtNDArray geluExactBackward(PtNDArray x, PtNDArray g) {
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = new TorchAutograd()) {
            PtNDArray xl = tmp.t(autograd.leaf(x));
            autograd.backward(tmp.t(JniUtils.gelu(xl)), g);
            return autograd.gradient(xl);
        }
    }

    // ---- causal attention ------------------------------------------------------------------------------------

    @Override
    public Result causalAttention(NativeTensor q, NativeTensor key, NativeTensor value, double scale) {
        int tq = q.shape().dim(2);
        int tk = key.shape().dim(2);
        DType dtype = q.dtype();
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray scores = tmp.t(DjlKernels.matmul(a(q), a(key), false, true)); // (B, H, Tq, Tk)
            JniUtils.muli(scores, tmp.t(djl.scalar(scale, dtype)));
            if (tq > 1) {
                JniUtils.booleanMaskSet(scores, constants.of(Double.NEGATIVE_INFINITY, dtype), tmp.t(futureMask(tq, tk)));
            }
            PtNDArray probs = JniUtils.softmax(scores, 3, DTypes.djl(dtype));
            PtNDArray out = DjlKernels.matmul(probs, a(value), false, false);
            Shape probsShape = q.shape().with(3, tk);
            return new Result(DjlTensor.fresh(out, q.shape(), dtype), List.of(DjlTensor.fresh(probs, probsShape, dtype)));
        }
    }

    @Override
    public NativeTensor[] causalAttentionBackward(NativeTensor q, NativeTensor key, NativeTensor value, double scale,
                                                  Result forward, NativeTensor gradOut) {
        PtNDArray probs = a(forward.saved(0));
        PtNDArray g = a(gradOut);
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray dv = DjlKernels.matmul(probs, g, true, false);
            PtNDArray ds = tmp.t(DjlKernels.matmul(g, a(value), false, true)); // dP (B, H, Tq, Tk)
            PtNDArray dot = tmp.t(JniUtils.sum(tmp.t(JniUtils.mul(ds, probs)), new long[] {3}, true));
            JniUtils.subi(ds, dot);
            JniUtils.muli(ds, probs);
            JniUtils.muli(ds, tmp.t(djl.scalar(scale, q.dtype()))); // dS
            PtNDArray dq = DjlKernels.matmul(ds, a(key), false, false);
            PtNDArray dk = DjlKernels.matmul(ds, a(q), true, false);
            return new NativeTensor[] {
                DjlTensor.fresh(dq, q.shape(), q.dtype()),
                DjlTensor.fresh(dk, key.shape(), key.dtype()),
                DjlTensor.fresh(dv, value.shape(), value.dtype())};
        }
    }

    /** (Tq, Tk) BOOL, true where key j lies after query i (at position Tk - Tq + i): the entries to mask. */
    private PtNDArray futureMask(int tq, int tk) {
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray rows = tmp.t(JniUtils.arange(djl.manager(), tk - tq, tk, 1, DataType.INT64, CPU, SparseFormat.DENSE));
            PtNDArray column = tmp.t(JniUtils.reshape(rows, new long[] {tq, 1}));
            PtNDArray cols = tmp.t(JniUtils.arange(djl.manager(), 0, tk, 1, DataType.INT64, CPU, SparseFormat.DENSE));
            return JniUtils.gt(cols, column);
        }
    }

    // ---- AdamW ------------------------------------------------------------------------------------------------

    /**
     * Updates param, m and v in place when no other open handle shares their storage (else on a private
     * copy, returned instead). F32 uses DJL's fused Adam kernel: it computes
     * {@code w -= lr wd w; w -= lr' m / (sqrt(v) + eps')}, which equals PyTorch's AdamW step
     * {@code w -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)} with {@code lr' = lr sqrt(bc2) / bc1} and
     * {@code eps' = eps sqrt(bc2)}.
     */
    @Override
    public NativeTensor[] adamWUpdate(NativeTensor param, NativeTensor grad, NativeTensor m, NativeTensor v, AdamWStep s) {
        DjlTensor p1 = writable(param);
        DjlTensor m1 = writable(m);
        DjlTensor v1 = writable(v);
        double bc1 = 1 - Math.pow(s.beta1(), s.step());
        double sqrtBc2 = Math.sqrt(1 - Math.pow(s.beta2(), s.step()));
        if (param.dtype() == DType.F32) {
            JniUtils.adamUpdate(p1.array(), a(grad), m1.array(), v1.array(), (float) s.lr(), (float) (s.lr() * sqrtBc2 / bc1),
                    (float) s.weightDecay(), 1f, -1f, (float) s.beta1(), (float) s.beta2(), (float) (s.eps() * sqrtBc2), true);
        } else {
            adamWComposed(p1.array(), a(grad), m1.array(), v1.array(), s, bc1, sqrtBc2, param.dtype());
        }
        return new NativeTensor[] {p1, m1, v1};
    }

    private void adamWComposed(PtNDArray p, PtNDArray g, PtNDArray m, PtNDArray v, AdamWStep s, double bc1, double sqrtBc2,
                               DType dtype) {
        try (Temporaries tmp = new Temporaries()) {
            JniUtils.muli(p, tmp.t(djl.scalar(1 - s.lr() * s.weightDecay(), dtype)));
            JniUtils.muli(m, tmp.t(djl.scalar(s.beta1(), dtype)));
            PtNDArray gm = tmp.t(JniUtils.mul(g, tmp.t(djl.scalar(1 - s.beta1(), dtype))));
            JniUtils.addi(m, gm);
            JniUtils.muli(v, tmp.t(djl.scalar(s.beta2(), dtype)));
            PtNDArray g2 = tmp.t(JniUtils.mul(g, g));
            JniUtils.muli(g2, tmp.t(djl.scalar(1 - s.beta2(), dtype)));
            JniUtils.addi(v, g2);
            PtNDArray denom = tmp.t(JniUtils.sqrt(v));
            JniUtils.muli(denom, tmp.t(djl.scalar(1 / sqrtBc2, dtype)));
            JniUtils.addi(denom, tmp.t(djl.scalar(s.eps(), dtype)));
            PtNDArray step = tmp.t(JniUtils.div(m, denom));
            JniUtils.muli(step, tmp.t(djl.scalar(s.lr() / bc1, dtype)));
            JniUtils.subi(p, step);
        }
    }

    /** {@code x} itself if in-place writes to it are private, else a fresh copy. */
    private static DjlTensor writable(NativeTensor x) {
        DjlTensor t = (DjlTensor) x;
        return t.writableInPlace() ? t : DjlTensor.fresh(JniUtils.clone(t.array()), t.shape(), t.dtype());
    }
}
