package dev.llmforge.backend.djl;

import static dev.llmforge.backend.djl.DjlKernels.a;
import static dev.llmforge.spi.GeluConstants.CUBIC_COEFFICIENT;
import static dev.llmforge.spi.GeluConstants.SQRT_2_OVER_PI;

import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The fused pairs on PyTorch, each a single kernel call from core's point of view:
 *
 * <ul>
 *   <li>softmax: PyTorch's softmax forward; backward {@code y (g - sum(g y))} in place on one temporary;</li>
 *   <li>softmax cross-entropy: PyTorch's log_softmax and gather; backward {@code (p - onehot) w g} with one scatter;</li>
 *   <li>layer norm: PyTorch's layer_norm; backward through PyTorch's own autograd (its native layer-norm backward):
 *       when core says a backward follows, the forward is recorded from leaves aliasing its inputs, so the backward does not
 *       recompute it (a second backward through the same forward does);</li>
 *   <li>GELU: exact GELU is PyTorch's gelu both ways (backward through its autograd, recorded like layer norm); DJL
 *       does not expose the tanh form, so that one is composed in place from PyTorch ops, as {@code x sigmoid(2u)};</li>
 *   <li>causal attention: over a long context ({@link FlashAttention#applies}), PyTorch's fused CPU attention kernel
 *       both ways, reached through TorchScript ({@link FlashAttention}); otherwise matmul, in-place mask and scale,
 *       PyTorch softmax, matmul (DJL exposes no fused attention op), backward through PyTorch's autograd, recorded
 *       like layer norm;</li>
 *   <li>AdamW: DJL's in-place Adam update (F32) with its hyper-parameters rewritten to match
 *       {@code torch.optim.AdamW}; F64 composed from in-place ops.</li>
 * </ul>
 */
final class DjlFusedKernels extends FusedKernels {
    static final Set<FusedOp> NATIVE = EnumSet.of(FusedOp.SOFTMAX, FusedOp.SOFTMAX_CROSS_ENTROPY, FusedOp.LAYER_NORM,
            FusedOp.GELU, FusedOp.CAUSAL_ATTENTION, FusedOp.ADAMW_UPDATE);

    private static final ai.djl.Device CPU = ai.djl.Device.cpu();

    private final DjlKernels djl;
    private final Constants constants;
    private final FlashAttention flash;

    DjlFusedKernels(DjlKernels kernels, FlashAttention flash) {
        super(kernels);
        this.djl = kernels;
        this.constants = kernels.constants();
        this.flash = flash;
        constants.preload(new double[] {1, 3 * CUBIC_COEFFICIENT, 2 * SQRT_2_OVER_PI, 2 * SQRT_2_OVER_PI * CUBIC_COEFFICIENT,
            Double.NEGATIVE_INFINITY}, DType.F32, DType.F64);
        constants.preload(new double[] {0}, DType.I64);
    }

    // ---- softmax ----------------------------------------------------------------------------------

    @Override
    public Result softmax(NativeTensor x, boolean backwardFollows) {
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
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex, boolean backwardFollows) {
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

    /**
     * When a backward follows, the forward runs under PyTorch's autograd from leaves aliasing x,
     * weight and bias (saved, in that order): the backward is then one call into PyTorch's
     * layer-norm backward, without recomputing the forward.
     */
    @Override
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, boolean backwardFollows) {
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = backwardFollows ? new TorchAutograd() : null) {
            List<NativeTensor> leaves = new ArrayList<>(3);
            PtNDArray xl = autograd != null ? leaf(autograd, x, leaves) : a(x);
            PtNDArray w = weight == null ? ones(x, tmp) : autograd != null ? leaf(autograd, weight, leaves) : a(weight);
            PtNDArray b = bias == null ? zeros(x, tmp) : autograd != null ? leaf(autograd, bias, leaves) : a(bias);
            PtNDArray y = JniUtils.layerNorm(xl, normalizedShape(x), w, b, eps);
            return new Result(DjlTensor.fresh(y, x.shape(), x.dtype()), leaves);
        }
    }

    @Override
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps,
                                            Result forward, NativeTensor gradOut) {
        if (firstBackwardOfRecorded(forward)) {
            JniUtils.backward(a(forward.output()), a(gradOut), false, false);
            int next = 1;
            return new NativeTensor[] {
                gradientOf(forward.saved(0)),
                weight == null ? null : gradientOf(forward.saved(next++)),
                bias == null ? null : gradientOf(forward.saved(next))};
        }
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = new TorchAutograd()) {
            PtNDArray xl = tmp.t(autograd.leaf(a(x)));
            PtNDArray wl = weight != null ? tmp.t(autograd.leaf(a(weight))) : ones(x, tmp);
            PtNDArray bl = bias != null ? tmp.t(autograd.leaf(a(bias))) : zeros(x, tmp);
            PtNDArray y = tmp.t(JniUtils.layerNorm(xl, normalizedShape(x), wl, bl, eps));
            autograd.backward(y, a(gradOut));
            return new NativeTensor[] {
                DjlTensor.fresh(autograd.gradient(xl), x.shape(), x.dtype()),
                weight == null ? null : DjlTensor.fresh(autograd.gradient(wl), weight.shape(), x.dtype()),
                bias == null ? null : DjlTensor.fresh(autograd.gradient(bl), bias.shape(), x.dtype())};
        }
    }

    /** A leaf of PyTorch's autograd aliasing {@code x}, added to {@code leaves} (which the caller returns as saved). */
    private static PtNDArray leaf(TorchAutograd autograd, NativeTensor x, List<NativeTensor> leaves) {
        PtNDArray l = autograd.leaf(a(x));
        leaves.add(DjlTensor.fresh(l, x.shape(), x.dtype()));
        return l;
    }

    /**
     * True if {@code forward} was recorded under PyTorch's autograd (its saved handles are the leaves)
     * and not yet differentiated: the recorded graph is used once; a second backward through the same
     * forward recomputes it (else gradients would accumulate into tensors already returned).
     */
    private static boolean firstBackwardOfRecorded(Result forward) {
        // kept in Java: asking PyTorch (DJL's getGradient on a leaf without a gradient yet) leaks a native handle per call
        return !forward.saved().isEmpty() && DjlKernels.t(forward.saved(0)).firstBackward();
    }

    /** The gradient PyTorch accumulated in a leaf, as a new handle. */
    private static NativeTensor gradientOf(NativeTensor leaf) {
        PtNDArray g = JniUtils.getGradient(a(leaf));
        if (g == null) {
            throw new IllegalStateException("PyTorch computed no gradient for a kernel input");
        }
        return DjlTensor.fresh(g, leaf.shape(), leaf.dtype());
    }

    private static ai.djl.ndarray.types.Shape normalizedShape(NativeTensor x) {
        return new ai.djl.ndarray.types.Shape(x.shape().dim(-1));
    }

    /** Ones of x's last dim: the scale of a layer norm without one (shared, never closed by the caller). */
    private PtNDArray ones(NativeTensor x, Temporaries tmp) {
        return djl.filled(Shape.of(x.shape().dim(-1)), 1, x.dtype(), tmp);
    }

    /** Zeros of x's last dim: the shift of a layer norm without one. */
    private PtNDArray zeros(NativeTensor x, Temporaries tmp) {
        return djl.filled(Shape.of(x.shape().dim(-1)), 0, x.dtype(), tmp);
    }

    // ---- GELU ---------------------------------------------------------------------------------------------

    /**
     * The exact form, when a backward follows, runs under PyTorch's autograd from a leaf aliasing x
     * (saved), so that its backward is PyTorch's gelu backward without recomputing the forward.
     */
    @Override
    public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
        if (tanhApproximation) {
            return new Result(DjlTensor.fresh(geluTanh(a(x), x.dtype()), x.shape(), x.dtype()));
        }
        if (!backwardFollows) {
            return new Result(DjlTensor.fresh(JniUtils.gelu(a(x)), x.shape(), x.dtype()));
        }
        try (TorchAutograd autograd = new TorchAutograd()) {
            List<NativeTensor> leaves = new ArrayList<>(1);
            PtNDArray y = JniUtils.gelu(leaf(autograd, x, leaves));
            return new Result(DjlTensor.fresh(y, x.shape(), x.dtype()), leaves);
        }
    }

    @Override
    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        if (!tanhApproximation && firstBackwardOfRecorded(forward)) {
            JniUtils.backward(a(forward.output()), a(gradOut), false, false);
            return gradientOf(forward.saved(0));
        }
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
            JniUtils.muli(u2, constants.of(2 * SQRT_2_OVER_PI * CUBIC_COEFFICIENT, dtype));
            finishTwiceGeluArgument(u2, x, dtype);
            return JniUtils.mul(x, tmp.t(JniUtils.sigmoid(u2)));
        }
    }

    /** g (s + x s (1 - s) 2c (1 + 3 a x^2)) with s = sigmoid(2u), the derivative of x sigmoid(2u). */
    private PtNDArray geluTanhBackward(PtNDArray x, DType dtype, PtNDArray g) {
        PtNDArray one = constants.of(1, dtype);
        try (Temporaries tmp = new Temporaries()) {
            PtNDArray x2 = tmp.t(JniUtils.mul(x, x));
            PtNDArray u2 = tmp.t(JniUtils.mul(x2, constants.of(2 * SQRT_2_OVER_PI * CUBIC_COEFFICIENT, dtype)));
            finishTwiceGeluArgument(u2, x, dtype);
            PtNDArray s = tmp.t(JniUtils.sigmoid(u2));
            PtNDArray derivative = tmp.t(JniUtils.mul(s, s));
            JniUtils.negi(derivative);
            JniUtils.addi(derivative, s); // s (1 - s)
            JniUtils.muli(x2, constants.of(3 * CUBIC_COEFFICIENT, dtype));
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

    /**
     * Over a long context, PyTorch's fused kernel ({@link FlashAttention}: the saved handle is the rows'
     * log-sum-exp, with or without gradients). Otherwise, with gradients on, the forward is recorded
     * under PyTorch's autograd from leaves aliasing q, k and v (the saved handles), so the backward is
     * one PyTorch backward call: its native softmax backward, and the contiguous copies of q, k and v
     * the forward's matmuls made, without copying them again.
     */
    @Override
    public Result causalAttention(NativeTensor q, NativeTensor key, NativeTensor value, double scale, boolean backwardFollows) {
        if (FlashAttention.applies(q, key)) {
            return flash.forward(q, key, value, scale);
        }
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = backwardFollows ? new TorchAutograd() : null) {
            if (autograd == null) {
                return new Result(DjlTensor.fresh(attend(a(q), a(key), a(value), tq(q), tk(key), scale, q.dtype(), tmp), q.shape(), q.dtype()));
            }
            List<NativeTensor> leaves = new ArrayList<>(3);
            PtNDArray out = attend(leaf(autograd, q, leaves), leaf(autograd, key, leaves), leaf(autograd, value, leaves), tq(q), tk(key), scale,
                    q.dtype(), tmp);
            return new Result(DjlTensor.fresh(out, q.shape(), q.dtype()), leaves);
        }
    }

    @Override
    public NativeTensor[] causalAttentionBackward(NativeTensor q, NativeTensor key, NativeTensor value, double scale,
                                                  Result forward, NativeTensor gradOut) {
        if (FlashAttention.applies(q, key)) {
            return flash.backward(q, key, value, scale, forward, gradOut);
        }
        if (firstBackwardOfRecorded(forward)) {
            JniUtils.backward(a(forward.output()), a(gradOut), false, false);
            return new NativeTensor[] {gradientOf(forward.saved(0)), gradientOf(forward.saved(1)), gradientOf(forward.saved(2))};
        }
        // not recorded (or differentiated once already): record the forward again and differentiate that
        List<NativeTensor> leaves = new ArrayList<>(3);
        try (Temporaries tmp = new Temporaries(); TorchAutograd autograd = new TorchAutograd()) {
            PtNDArray out = tmp.t(attend(leaf(autograd, q, leaves), leaf(autograd, key, leaves), leaf(autograd, value, leaves), tq(q),
                    tk(key), scale, q.dtype(), tmp));
            JniUtils.backward(out, a(gradOut), false, false);
            return new NativeTensor[] {gradientOf(leaves.get(0)), gradientOf(leaves.get(1)), gradientOf(leaves.get(2))};
        } finally {
            leaves.forEach(NativeTensor::close);
        }
    }

    /** softmax(scale q k^T, causally masked) v for q (B, H, Tq, D), k and v (B, H, Tk, D); intermediates go to {@code tmp}. */
    private PtNDArray attend(PtNDArray q, PtNDArray k, PtNDArray v, int tq, int tk, double scale, DType dtype, Temporaries tmp) {
        PtNDArray scores = tmp.t(DjlKernels.matmul(q, k, false, true)); // (B, H, Tq, Tk)
        JniUtils.muli(scores, djl.filled(Shape.scalar(), scale, dtype, tmp));
        if (tq > 1) {
            JniUtils.booleanMaskSet(scores, constants.of(Double.NEGATIVE_INFINITY, dtype), djl.causalMask(tq, tk, tmp));
        }
        PtNDArray probs = tmp.t(JniUtils.softmax(scores, 3, DTypes.djl(dtype)));
        return DjlKernels.matmul(probs, v, false, false);
    }

    private static int tq(NativeTensor q) {
        return q.shape().dim(2);
    }

    private static int tk(NativeTensor key) {
        return key.shape().dim(2);
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
        DjlTensor t = DjlKernels.t(x);
        return t.writableInPlace() ? t : DjlTensor.fresh(JniUtils.clone(t.array()), t.shape(), t.dtype());
    }
}
