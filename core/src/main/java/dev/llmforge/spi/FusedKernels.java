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
     * Saves log p, the one-hot targets and each row's weight.
     */
    public Result softmaxCrossEntropy(NativeTensor logits, NativeTensor targets, long ignoreIndex, boolean backwardFollows) {
        int n = logits.shape().dim(0);
        int v = logits.shape().dim(1);
        try (Composition c = new Composition(k)) {
            NativeTensor logp = logSoftmaxLastAxis(c, logits);                                                  // (N, V)
            NativeTensor ignored = c.eq(targets, c.scalar(ignoreIndex, targets));                               // (N) BOOL
            NativeTensor kept = c.where(ignored, c.scalar(0, logits), c.scalar(1, logits));                     // (N) 0 or 1
            NativeTensor count = c.maximum(c.sum(kept, 0), c.scalar(1, logits));                                // () at least 1
            NativeTensor weight = c.reshape(c.div(kept, count), Shape.of(n, 1));                                // (N, 1)
            NativeTensor classes = arange(c, v, targets);                                                       // (V)
            NativeTensor oneHot = c.eq(c.reshape(targets, Shape.of(n, 1)), c.reshape(classes, Shape.of(1, v))); // (N, V) BOOL
            NativeTensor picked = c.where(oneHot, logp, c.scalar(0, logits));                                   // (N, V) log p(target)
            NativeTensor loss = c.neg(c.sum(c.mul(picked, weight), 0, 1));                                      // ()
            return c.result(loss, logp, oneHot, weight);
        }
    }

    /** d loss / d logits = (p - onehot) weight gradLoss, with p = exp(log p). */
    public NativeTensor softmaxCrossEntropyBackward(NativeTensor logits, NativeTensor targets, long ignoreIndex,
                                                    Result forward, NativeTensor gradLoss) {
        NativeTensor logp = forward.saved(0);   // (N, V)
        NativeTensor oneHot = forward.saved(1); // (N, V) BOOL
        NativeTensor weight = forward.saved(2); // (N, 1)
        try (Composition c = new Composition(k)) {
            NativeTensor p = c.exp(logp);                                   // (N, V)
            NativeTensor pMinusOneHot = c.where(oneHot, c.sub(p, 1.0), p);  // (N, V)
            return c.keep(c.mul(c.mul(pMinusOneHot, weight), gradLoss));
        }
    }

    // ---- layer norm -----------------------------------------------------------------------------------

    /**
     * Normalises over the last axis, {@code y = (x - mean) / sqrt(var + eps) * weight + bias};
     * {@code weight} and {@code bias} (C) may be null. Saves the mean and 1 / sqrt(var + eps).
     */
    public Result layerNorm(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps, boolean backwardFollows) {
        try (Composition c = new Composition(k)) {                                // x (..., C)
            NativeTensor mean = c.meanLast(x);                                      // (..., 1)
            NativeTensor centered = c.sub(x, mean);                                 // (..., C)
            NativeTensor variance = c.meanLast(c.mul(centered, centered));          // (..., 1)
            NativeTensor rstd = c.reciprocal(c.sqrt(c.add(variance, eps)));         // (..., 1)
            NativeTensor y = c.mul(centered, rstd);                                 // (..., C)
            if (weight != null) {
                y = c.mul(y, weight);
            }
            if (bias != null) {
                y = c.add(y, bias);
            }
            return c.result(y, mean, rstd);
        }
    }

    /**
     * Returns {dx, dweight or null, dbias or null}: with xhat = (x - mean) rstd and dxhat = gradOut weight,
     * dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dweight = sum(gradOut xhat), dbias = sum(gradOut).
     */
    public NativeTensor[] layerNormBackward(NativeTensor x, NativeTensor weight, NativeTensor bias, double eps,
                                            Result forward, NativeTensor gradOut) {
        NativeTensor mean = forward.saved(0); // (..., 1)
        NativeTensor rstd = forward.saved(1); // (..., 1)
        int[] rows = leadingAxes(x.shape().rank() - 1);
        try (Composition c = new Composition(k)) {
            NativeTensor xhat = c.mul(c.sub(x, mean), rstd);                                        // (..., C)
            NativeTensor dxhat = weight != null ? c.mul(gradOut, weight) : gradOut;                 // (..., C)
            NativeTensor meanDxhat = c.meanLast(dxhat);                                             // (..., 1)
            NativeTensor meanDxhatXhat = c.meanLast(c.mul(dxhat, xhat));                            // (..., 1)
            NativeTensor inner = c.sub(c.sub(dxhat, meanDxhat), c.mul(xhat, meanDxhatXhat));        // (..., C)
            NativeTensor dx = c.mul(inner, rstd);                                                   // (..., C)
            NativeTensor dweight = weight != null ? c.sum(c.mul(gradOut, xhat), rows) : null;       // (C)
            NativeTensor dbias = bias != null ? c.sum(gradOut, rows) : null;                        // (C)
            return c.keepAll(dx, dweight, dbias);
        }
    }

    // ---- GELU -----------------------------------------------------------------------------------------

    /** GELU, {@code x cdf(x)}: exact, cdf = Phi(x), or GPT-2's tanh approximation, cdf = 0.5 (1 + tanh u). */
    public Result gelu(NativeTensor x, boolean tanhApproximation, boolean backwardFollows) {
        try (Composition c = new Composition(k)) {
            NativeTensor cdf = tanhApproximation ? geluTanhCdf(c, x) : geluErfCdf(c, x);
            return c.result(c.mul(x, cdf));
        }
    }

    public NativeTensor geluBackward(NativeTensor x, boolean tanhApproximation, Result forward, NativeTensor gradOut) {
        try (Composition c = new Composition(k)) {
            NativeTensor derivative;
            if (tanhApproximation) {
                // 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u',  u = sqrt(2/pi) (x + 0.044715 x^3),  u' = du/dx
                NativeTensor x2 = c.mul(x, x);
                NativeTensor u = c.mul(c.add(x, c.mul(c.mul(x2, x), CUBIC_COEFFICIENT)), SQRT_2_OVER_PI);
                NativeTensor th = c.tanh(u);
                NativeTensor cdf = c.mul(c.add(th, 1), 0.5);
                NativeTensor sech2 = c.sub(c.scalar(1, x), c.mul(th, th));
                NativeTensor du = c.mul(c.add(c.mul(x2, 3 * CUBIC_COEFFICIENT), 1), SQRT_2_OVER_PI);
                derivative = c.add(cdf, c.mul(c.mul(c.mul(x, 0.5), sech2), du));
            } else {
                // Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
                NativeTensor cdf = geluErfCdf(c, x);
                NativeTensor pdf = c.mul(c.exp(c.mul(c.mul(x, x), -0.5)), INV_SQRT_2PI);
                derivative = c.add(cdf, c.mul(x, pdf));
            }
            return c.keep(c.mul(gradOut, derivative));
        }
    }

    // ---- softmax ----------------------------------------------------------------------------------------

    /** Softmax over the last axis. */
    public Result softmax(NativeTensor x, boolean backwardFollows) {
        try (Composition c = new Composition(k)) {
            return c.result(softmaxLastAxis(c, x));
        }
    }

    /** dx = y (gradOut - sum(gradOut y)), the sum over the last axis. */
    public NativeTensor softmaxBackward(Result forward, NativeTensor gradOut) {
        NativeTensor y = forward.output();
        try (Composition c = new Composition(k)) {
            NativeTensor dot = c.sumLast(c.mul(gradOut, y)); // (..., 1)
            return c.keep(c.mul(y, c.sub(gradOut, dot)));   // (..., C)
        }
    }

    // ---- causal attention ---------------------------------------------------------------------------------

    /**
     * Scaled dot-product attention with a causal mask: q (B, H, Tq, D), k and v (B, H, Tk, D),
     * Tq <= Tk. Query i sits at position Tk - Tq + i and sees keys 0 to that position (so a
     * one-token query against a KV cache sees everything). Output (B, H, Tq, D); saves the attention
     * probabilities.
     */
    public Result causalAttention(NativeTensor q, NativeTensor key, NativeTensor value, double scale, boolean backwardFollows) {
        try (Composition c = new Composition(k)) {
            NativeTensor scores = c.mul(c.matmul(q, key, false, true), scale);                           // (B, H, Tq, Tk)
            NativeTensor visible = causalMask(c, q.shape().dim(2), key.shape().dim(2), q);               // (Tq, Tk) BOOL
            NativeTensor masked = c.where(visible, scores, c.scalar(Double.NEGATIVE_INFINITY, q));       // (B, H, Tq, Tk)
            NativeTensor probs = softmaxLastAxis(c, masked);                                             // (B, H, Tq, Tk)
            return c.result(c.matmul(probs, value, false, false), probs);                                // (B, H, Tq, D)
        }
    }

    /** Returns {dq, dk, dv}: dv = p^T g, ds = p (g v^T - sum(g v^T p)) scale, dq = ds k, dk = ds^T q. */
    public NativeTensor[] causalAttentionBackward(NativeTensor q, NativeTensor key, NativeTensor value, double scale,
                                                  Result forward, NativeTensor gradOut) {
        NativeTensor probs = forward.saved(0); // (B, H, Tq, Tk)
        try (Composition c = new Composition(k)) {
            NativeTensor dv = c.matmul(probs, gradOut, true, false);                         // (B, H, Tk, D)
            NativeTensor dp = c.matmul(gradOut, value, false, true);                         // (B, H, Tq, Tk)
            NativeTensor dot = c.sumLast(c.mul(dp, probs));                                  // (B, H, Tq, 1)
            NativeTensor ds = c.mul(c.mul(probs, c.sub(dp, dot)), scale);                    // (B, H, Tq, Tk)
            NativeTensor dq = c.matmul(ds, key, false, false);                               // (B, H, Tq, D)
            NativeTensor dk = c.matmul(ds, q, true, false);                                  // (B, H, Tk, D)
            return c.keepAll(dq, dk, dv);
        }
    }

    // ---- AdamW --------------------------------------------------------------------------------------------

    /**
     * One decoupled-weight-decay Adam step (PyTorch's AdamW): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
     * param = param (1 - lr wd) - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps), with bc = 1 - b^step. Returns
     * {param, m, v}: new handles, or the input handles themselves if the backend updated them in place.
     */
    public NativeTensor[] adamWUpdate(NativeTensor param, NativeTensor grad, NativeTensor m, NativeTensor v, AdamWStep s) {
        double bc1 = 1 - Math.pow(s.beta1(), s.step());
        double bc2 = 1 - Math.pow(s.beta2(), s.step());
        try (Composition c = new Composition(k)) {
            NativeTensor decayed = c.mul(param, 1 - s.lr() * s.weightDecay());
            NativeTensor m1 = c.add(c.mul(m, s.beta1()), c.mul(grad, 1 - s.beta1()));
            NativeTensor v1 = c.add(c.mul(v, s.beta2()), c.mul(c.mul(grad, grad), 1 - s.beta2()));
            NativeTensor denom = c.add(c.mul(c.sqrt(v1), 1 / Math.sqrt(bc2)), s.eps());
            NativeTensor p1 = c.sub(decayed, c.mul(c.div(m1, denom), s.lr() / bc1));
            return c.keepAll(p1, m1, v1);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** exp(x - max) / sum(exp(x - max)) over the last axis. */
    private static NativeTensor softmaxLastAxis(Composition c, NativeTensor x) {
        NativeTensor e = c.exp(c.sub(x, c.maxLast(x)));
        return c.div(e, c.sumLast(e));
    }

    /** (x - max) - log(sum(exp(x - max))) over the last axis. */
    private static NativeTensor logSoftmaxLastAxis(Composition c, NativeTensor x) {
        NativeTensor z = c.sub(x, c.maxLast(x));
        return c.sub(z, c.log(c.sumLast(c.exp(z))));
    }

    /** 0.5 (1 + tanh u),  u = sqrt(2 / pi) (x + 0.044715 x^3). */
    private static NativeTensor geluTanhCdf(Composition c, NativeTensor x) {
        NativeTensor u = c.mul(c.add(x, c.mul(c.mul(c.mul(x, x), x), CUBIC_COEFFICIENT)), SQRT_2_OVER_PI);
        return c.mul(c.add(c.tanh(u), 1), 0.5);
    }

    /** Phi(x) = 0.5 (1 + erf(x / sqrt 2)). */
    private static NativeTensor geluErfCdf(Composition c, NativeTensor x) {
        return c.mul(c.add(c.erf(c.mul(x, INV_SQRT_2)), 1), 0.5);
    }

    /** (Tq, Tk) BOOL: query i (at position Tk - Tq + i) may see key j. */
    private static NativeTensor causalMask(Composition c, int tq, int tk, NativeTensor like) {
        ByteBuffer b = ByteBuffer.allocate(tq * tk).order(ByteOrder.LITTLE_ENDIAN);
        int offset = tk - tq;
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j < tk; j++) {
                b.put((byte) (j <= i + offset ? 1 : 0));
            }
        }
        b.flip();
        return c.fromBuffer(b, Shape.of(tq, tk), DType.BOOL, like);
    }

    /** 0, 1, ..., n - 1 in {@code like}'s integer dtype (I32 or I64). */
    private static NativeTensor arange(Composition c, int n, NativeTensor like) {
        DType dtype = like.dtype();
        ByteBuffer b = ByteBuffer.allocate(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (dtype == DType.I32) {
                b.putInt(i);
            } else {
                b.putLong(i);
            }
        }
        b.flip();
        return c.fromBuffer(b, Shape.of(n), dtype, like);
    }

    private static int[] leadingAxes(int n) {
        int[] axes = new int[n];
        for (int i = 0; i < n; i++) {
            axes[i] = i;
        }
        return axes;
    }
}
