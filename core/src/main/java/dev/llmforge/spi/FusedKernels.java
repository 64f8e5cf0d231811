package dev.llmforge.spi;

import static dev.llmforge.spi.GeluConstants.CUBIC_COEFFICIENT;
import static dev.llmforge.spi.GeluConstants.INV_SQRT_2;
import static dev.llmforge.spi.GeluConstants.INV_SQRT_2PI;
import static dev.llmforge.spi.GeluConstants.SQRT_2_OVER_PI;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Optional fused forward/backward pairs. This base class builds every pair from the primitives of
 * {@link Kernels}; a backend subclasses it and overrides both methods of each pair its engine does
 * natively, and lists those pairs in {@link Backend#nativeFusedOps()}. Overriding a forward
 * without its backward is a bug the conformance kit reports.
 *
 * <p>Forward methods return a {@link Result}: the output and any handles the backward needs. Core
 * owns (and eventually closes) every returned handle; {@code saved} must not contain the output.
 * Core validates shapes and dtypes before calling.
 *
 * <p>Each forward is told whether a backward may follow ({@code backwardFollows}): true when some
 * input needs a gradient, so core may call the pair's backward with the returned {@code Result};
 * false when none does (inference, or gradients off), so core closes {@code saved} unused and never
 * calls the backward. A backend may use it to prepare a cheaper backward (DJL records the forward
 * under PyTorch's autograd) or to save less; the output must not depend on it. The compositions
 * here ignore it.
 */
public class FusedKernels {
    protected final Kernels k;

    public FusedKernels(Kernels primitives) {
        this.k = primitives;
    }

    /** Output of a fused forward plus what its backward needs. */
    public record Result(NativeTensor output, List<NativeTensor> saved) {
        public Result(NativeTensor output) {
            this(output, List.of());
        }

        public NativeTensor saved(int i) {
            return saved.get(i);
        }
    }

    /** One AdamW step's hyper-parameters; {@code step} counts from 1. */
    public record AdamWStep(double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
    }

    // ---- softmax cross-entropy ---------------------------------------------------------------------

    /**
     * Mean cross-entropy of {@code logits} (N, V) against integer {@code targets} (N), over the
     * targets that are not {@code ignoreIndex}; 0 if every target is ignored. Output: rank 0.
     */
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex, boolean backwardFollows) {
        int v = logits.shape().dim(1);
        try (Temps t = new Temps()) {
            NativeTensor logp = logSoftmaxLastAxis(t, logits); // (N, V), saved
            NativeTensor ignored = t.t(k.eq(targets, scalar(t, ignoreIndex, targets)));
            NativeTensor keep = t.t(k.where(ignored, scalar(t, 0, logits), scalar(t, 1, logits))); // (N)
            NativeTensor count = t.t(k.maximum(t.t(k.sum(keep, new int[] {0}, false)), scalar(t, 1, logits)));
            NativeTensor weight = k.reshape(t.t(k.div(keep, count)), Shape.of(keep.shape().dim(0), 1)); // (N, 1)
            NativeTensor classes = t.t(arange(v, targets.dtype(), targets));
            NativeTensor column = t.t(k.reshape(targets, Shape.of(targets.shape().dim(0), 1)));
            NativeTensor oneHot = k.eq(column, t.t(k.reshape(classes, Shape.of(1, v)))); // (N, V) BOOL
            NativeTensor picked = t.t(k.where(oneHot, logp, scalar(t, 0, logits)));
            NativeTensor weighted = t.t(k.mul(picked, weight));
            NativeTensor loss = k.neg(t.t(k.sum(weighted, new int[] {0, 1}, false)));
            return new Result(loss, List.of(logp, oneHot, weight));
        }
    }

    public NativeTensor softmaxCrossEntropyBackward(NativeTensor logits, NativeTensor targets, long ignoreIndex,
                                                    Result forward, NativeTensor gradLoss) {
        try (Temps t = new Temps()) {
            NativeTensor p = t.t(k.exp(forward.saved(0)));
            NativeTensor diff = t.t(k.where(forward.saved(1), t.t(k.sub(p, scalar(t, 1, p))), p));
            NativeTensor scaled = t.t(k.mul(diff, forward.saved(2)));
            return k.mul(scaled, gradLoss);
        }
    }

    // ---- layer norm -----------------------------------------------------------------------------------

    /** Normalises over the last axis; {@code weight} and {@code bias} (C) may be null. */
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, boolean backwardFollows) {
        int last = x.shape().rank() - 1;
        double c = x.shape().dim(last);
        try (Temps t = new Temps()) {
            NativeTensor mean = k.div(t.t(k.sum(x, new int[] {last}, true)), scalar(t, c, x));
            NativeTensor centered = t.t(k.sub(x, mean));
            NativeTensor var = t.t(k.div(t.t(k.sum(t.t(k.mul(centered, centered)), new int[] {last}, true)), scalar(t, c, x)));
            NativeTensor rstd = k.reciprocal(t.t(k.sqrt(t.t(k.add(var, scalar(t, eps, x))))));
            NativeTensor y = k.mul(centered, rstd);
            if (weight != null) {
                y = swap(t, y, k.mul(y, weight));
            }
            if (bias != null) {
                y = swap(t, y, k.add(y, bias));
            }
            return new Result(y, List.of(mean, rstd));
        }
    }

    /** Returns {dx, dweight or null, dbias or null}. */
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps,
                                            Result forward, NativeTensor gradOut) {
        int last = x.shape().rank() - 1;
        int[] outer = leadingAxes(last);
        double c = x.shape().dim(last);
        try (Temps t = new Temps()) {
            NativeTensor xhat = t.t(k.mul(t.t(k.sub(x, forward.saved(0))), forward.saved(1)));
            NativeTensor dxhat = weight != null ? t.t(k.mul(gradOut, weight)) : gradOut;
            NativeTensor meanD = t.t(k.div(t.t(k.sum(dxhat, new int[] {last}, true)), scalar(t, c, x)));
            NativeTensor meanDx = t.t(k.div(t.t(k.sum(t.t(k.mul(dxhat, xhat)), new int[] {last}, true)), scalar(t, c, x)));
            NativeTensor inner = t.t(k.sub(t.t(k.sub(dxhat, meanD)), t.t(k.mul(xhat, meanDx))));
            NativeTensor dx = k.mul(inner, forward.saved(1));
            NativeTensor dw = weight != null ? k.sum(t.t(k.mul(gradOut, xhat)), outer, false) : null;
            NativeTensor db = bias != null ? k.sum(gradOut, outer, false) : null;
            return new NativeTensor[] {dx, dw, db};
        }
    }

    // ---- GELU -----------------------------------------------------------------------------------------

    /** GELU, exact (erf) or with GPT-2's tanh approximation. */
    public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
        try (Temps t = new Temps()) {
            NativeTensor cdf = t.t(tanhApproximation ? geluTanhCdf(t, x) : geluErfCdf(t, x)); // 0.5 (1 + tanh/erf)
            return new Result(k.mul(x, cdf));
        }
    }

    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        try (Temps t = new Temps()) {
            NativeTensor derivative;
            if (tanhApproximation) {
                // 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) c (1 + 3 a x^2),  u = c (x + a x^3)
                NativeTensor x2 = t.t(k.mul(x, x));
                NativeTensor u = t.t(k.mul(t.t(k.add(x, t.t(k.mul(t.t(k.mul(x2, x)), scalar(t, CUBIC_COEFFICIENT, x))))), scalar(t, SQRT_2_OVER_PI, x)));
                NativeTensor th = t.t(k.tanh(u));
                NativeTensor left = t.t(k.mul(t.t(k.add(th, scalar(t, 1, x))), scalar(t, 0.5, x)));
                NativeTensor sech2 = t.t(k.sub(scalar(t, 1, x), t.t(k.mul(th, th))));
                NativeTensor du = t.t(k.mul(t.t(k.add(t.t(k.mul(x2, scalar(t, 3 * CUBIC_COEFFICIENT, x))), scalar(t, 1, x))), scalar(t, SQRT_2_OVER_PI, x)));
                NativeTensor right = t.t(k.mul(t.t(k.mul(t.t(k.mul(x, scalar(t, 0.5, x))), sech2)), du));
                derivative = t.t(k.add(left, right));
            } else {
                // Phi(x) + x phi(x)
                NativeTensor cdf = t.t(geluErfCdf(t, x));
                NativeTensor x2 = t.t(k.mul(x, x));
                NativeTensor pdf = t.t(k.mul(t.t(k.exp(t.t(k.mul(x2, scalar(t, -0.5, x))))), scalar(t, INV_SQRT_2PI, x)));
                derivative = t.t(k.add(cdf, t.t(k.mul(x, pdf))));
            }
            return k.mul(gradOut, derivative);
        }
    }

    // ---- softmax ----------------------------------------------------------------------------------------

    /** Softmax over the last axis. */
    public Result softmax(NativeTensor x, boolean backwardFollows) {
        try (Temps t = new Temps()) {
            return new Result(softmaxLastAxis(t, x));
        }
    }

    public NativeTensor softmaxBackward(Result forward, NativeTensor gradOut) {
        NativeTensor y = forward.output();
        int last = y.shape().rank() - 1;
        try (Temps t = new Temps()) {
            NativeTensor dot = t.t(k.sum(t.t(k.mul(gradOut, y)), new int[] {last}, true));
            return k.mul(y, t.t(k.sub(gradOut, dot)));
        }
    }

    // ---- causal attention ---------------------------------------------------------------------------------

    /**
     * Scaled dot-product attention with a causal mask: q (B, H, Tq, D), k and v (B, H, Tk, D),
     * Tq <= Tk. Query i sits at position Tk - Tq + i and sees keys 0 to that position (so a
     * one-token query against a KV cache sees everything). Output (B, H, Tq, D).
     */
    public Result causalAttention(NativeTensor q, NativeTensor key, NativeTensor value, double scale, boolean backwardFollows) {
        try (Temps t = new Temps()) {
            NativeTensor scores = t.t(k.mul(t.t(k.matmul(q, key, false, true)), scalar(t, scale, q))); // (B, H, Tq, Tk)
            NativeTensor mask = t.t(causalMask(q.shape().dim(2), key.shape().dim(2), q));
            NativeTensor masked = t.t(k.where(mask, scores, scalar(t, Double.NEGATIVE_INFINITY, q)));
            NativeTensor probs = softmaxLastAxis(t, masked);
            return new Result(k.matmul(probs, value, false, false), List.of(probs));
        }
    }

    /** Returns {dq, dk, dv}. */
    public NativeTensor[] causalAttentionBackward(NativeTensor q, NativeTensor key, NativeTensor value, double scale,
                                                  Result forward, NativeTensor gradOut) {
        NativeTensor probs = forward.saved(0);
        int last = probs.shape().rank() - 1;
        try (Temps t = new Temps()) {
            NativeTensor dv = k.matmul(probs, gradOut, true, false);
            NativeTensor dp = t.t(k.matmul(gradOut, value, false, true));
            NativeTensor dot = t.t(k.sum(t.t(k.mul(dp, probs)), new int[] {last}, true));
            NativeTensor ds = t.t(k.mul(t.t(k.mul(probs, t.t(k.sub(dp, dot)))), scalar(t, scale, q)));
            NativeTensor dq = k.matmul(ds, key, false, false);
            NativeTensor dk = k.matmul(ds, q, true, false);
            return new NativeTensor[] {dq, dk, dv};
        }
    }

    // ---- AdamW --------------------------------------------------------------------------------------------

    /**
     * One decoupled-weight-decay Adam step (PyTorch's AdamW). Returns {param, m, v}: new handles,
     * or the input handles themselves if the backend updated them in place.
     */
    public NativeTensor[] adamWUpdate(NativeTensor param, NativeTensor grad, NativeTensor m, NativeTensor v, AdamWStep s) {
        double bc1 = 1 - Math.pow(s.beta1(), s.step());
        double bc2 = 1 - Math.pow(s.beta2(), s.step());
        try (Temps t = new Temps()) {
            NativeTensor decayed = t.t(k.mul(param, scalar(t, 1 - s.lr() * s.weightDecay(), param)));
            NativeTensor m1 = k.add(t.t(k.mul(m, scalar(t, s.beta1(), m))), t.t(k.mul(grad, scalar(t, 1 - s.beta1(), grad))));
            NativeTensor g2 = t.t(k.mul(grad, grad));
            NativeTensor v1 = k.add(t.t(k.mul(v, scalar(t, s.beta2(), v))), t.t(k.mul(g2, scalar(t, 1 - s.beta2(), grad))));
            NativeTensor denom = t.t(k.add(t.t(k.mul(t.t(k.sqrt(v1)), scalar(t, 1 / Math.sqrt(bc2), v1))), scalar(t, s.eps(), v1)));
            NativeTensor stepDir = t.t(k.mul(t.t(k.div(m1, denom)), scalar(t, s.lr() / bc1, m1)));
            NativeTensor p1 = k.sub(decayed, stepDir);
            return new NativeTensor[] {p1, m1, v1};
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private NativeTensor softmaxLastAxis(Temps t, NativeTensor x) {
        int last = x.shape().rank() - 1;
        NativeTensor max = t.t(k.max(x, new int[] {last}, true));
        NativeTensor e = t.t(k.exp(t.t(k.sub(x, max))));
        return k.div(e, t.t(k.sum(e, new int[] {last}, true)));
    }

    /** log-softmax over the last axis; the result belongs to the caller. */
    private NativeTensor logSoftmaxLastAxis(Temps t, NativeTensor x) {
        int last = x.shape().rank() - 1;
        NativeTensor max = t.t(k.max(x, new int[] {last}, true));
        NativeTensor z = t.t(k.sub(x, max));
        NativeTensor lse = t.t(k.log(t.t(k.sum(t.t(k.exp(z)), new int[] {last}, true))));
        return k.sub(z, lse);
    }

    /** 0.5 (1 + tanh(c (x + a x^3))). */
    private NativeTensor geluTanhCdf(Temps t, NativeTensor x) {
        NativeTensor x3 = t.t(k.mul(t.t(k.mul(x, x)), x));
        NativeTensor u = t.t(k.mul(t.t(k.add(x, t.t(k.mul(x3, scalar(t, CUBIC_COEFFICIENT, x))))), scalar(t, SQRT_2_OVER_PI, x)));
        return k.mul(t.t(k.add(t.t(k.tanh(u)), scalar(t, 1, x))), scalar(t, 0.5, x));
    }

    /** 0.5 (1 + erf(x / sqrt 2)). */
    private NativeTensor geluErfCdf(Temps t, NativeTensor x) {
        NativeTensor e = t.t(k.erf(t.t(k.mul(x, scalar(t, INV_SQRT_2, x)))));
        return k.mul(t.t(k.add(e, scalar(t, 1, x))), scalar(t, 0.5, x));
    }

    /** (Tq, Tk) BOOL: query i (at position Tk - Tq + i) may see key j. */
    private NativeTensor causalMask(int tq, int tk, NativeTensor like) {
        ByteBuffer b = ByteBuffer.allocate(tq * tk).order(ByteOrder.LITTLE_ENDIAN);
        int offset = tk - tq;
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j < tk; j++) {
                b.put((byte) (j <= i + offset ? 1 : 0));
            }
        }
        b.flip();
        return k.fromBuffer(b, Shape.of(tq, tk), DType.BOOL, like.device());
    }

    private NativeTensor arange(int n, DType dtype, NativeTensor like) {
        ByteBuffer b = ByteBuffer.allocate(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (dtype == DType.I32) {
                b.putInt(i);
            } else {
                b.putLong(i);
            }
        }
        b.flip();
        return k.fromBuffer(b, Shape.of(n), dtype, like.device());
    }

    private NativeTensor scalar(Temps t, double value, NativeTensor like) {
        return t.t(k.full(Shape.scalar(), value, like.dtype(), like.device()));
    }

    private static NativeTensor swap(Temps t, NativeTensor old, NativeTensor replacement) {
        t.t(old);
        return replacement;
    }

    private static int[] leadingAxes(int n) {
        int[] axes = new int[n];
        for (int i = 0; i < n; i++) {
            axes[i] = i;
        }
        return axes;
    }
}
