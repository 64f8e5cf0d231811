package dev.llmforge.nn.functional;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;

/** Stateless neural-network functions with autograd. */
public final class F {
    /** PyTorch's default ignore index for cross-entropy. */
    public static final long IGNORE_INDEX = -100;

    private F() {
    }

    /** GELU variants: the exact (erf) form or GPT-2's tanh approximation. */
    public enum Gelu { EXACT, TANH }

    /** Softmax over the last axis. */
    public static Tensor softmax(Tensor x) {
        return FusedOps.softmax(x);
    }

    /** log(softmax(x)) over the last axis, computed stably. */
    public static Tensor logSoftmax(Tensor x) {
        int last = x.rank() - 1;
        Tensor shifted = x.sub(x.max(new int[] {last}, true).detach());
        return shifted.sub(shifted.exp().sum(new int[] {last}, true).log());
    }

    /**
     * Mean cross-entropy of {@code logits} (..., V) against integer {@code targets} (...), over the
     * targets that are not {@code ignoreIndex} (a batch where every target is ignored gives 0).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        int v = logits.dim(-1);
        if (logits.rank() != targets.rank() + 1) {
            throw new IllegalArgumentException("crossEntropy: logits " + logits.shape() + " need one more dim (the classes) than targets "
                    + targets.shape());
        }
        for (int i = 0; i < targets.rank(); i++) {
            if (targets.dim(i) != logits.dim(i)) {
                throw new IllegalArgumentException("crossEntropy: logits " + logits.shape() + " do not match targets " + targets.shape());
            }
        }
        return FusedOps.softmaxCrossEntropy(logits.reshape(-1, v), targets.reshape(-1), ignoreIndex);
    }

    /** {@link #crossEntropy(Tensor, Tensor, long)} with {@link #IGNORE_INDEX}. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, IGNORE_INDEX);
    }

    /** Layer normalisation over the last axis; weight and bias may be null. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return FusedOps.layerNorm(x, weight, bias, eps);
    }

    /** RMS normalisation over the last axis (LLaMA): x / sqrt(mean(x^2) + eps) * weight. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        int last = x.rank() - 1;
        Tensor rms = x.square().mean(new int[] {last}, true).add(eps).sqrt();
        Tensor y = x.div(rms);
        return weight == null ? y : y.mul(weight);
    }

    public static Tensor gelu(Tensor x, Gelu kind) {
        return FusedOps.gelu(x, kind == Gelu.TANH);
    }

    /** x * sigmoid(x). */
    public static Tensor silu(Tensor x) {
        return x.mul(sigmoid(x));
    }

    public static Tensor sigmoid(Tensor x) {
        return x.neg().exp().add(1).reciprocal();
    }

    /**
     * Zeroes each element with probability {@code p} and scales the rest by 1/(1-p); the identity
     * when {@code p == 0}. The mask comes from the backend's generator seeded with {@code seed}.
     */
    public static Tensor dropout(Tensor x, double p, long seed) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout: probability must be in [0, 1), got " + p);
        }
        if (p == 0) {
            return x;
        }
        Tensor noise = Tensor.on(x.backend(), x.device()).rand(x.shape(), x.dtype(), seed);
        return noise.lt(p).where(x.scalarLike(0), x.mul(1 / (1 - p)));
    }

    /**
     * Causal attention over q (B, H, Tq, D) and k, v (B, H, Tk, D) with scale 1/sqrt(D); the queries
     * are the last Tq of the Tk positions. With {@code dropout > 0} the attention weights are dropped
     * out (seeded), which takes the unfused path.
     */
    public static Tensor causalAttention(Tensor q, Tensor k, Tensor v, double dropout, long seed) {
        double scale = 1 / Math.sqrt(q.dim(-1));
        if (dropout == 0) {
            return FusedOps.causalAttention(q, k, v, scale);
        }
        int tq = q.dim(2);
        int tk = k.dim(2);
        Tensor scores = q.matmul(k, false, true).mul(scale); // (B, H, Tq, Tk)
        boolean[] allowed = new boolean[tq * tk];
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j <= i + tk - tq; j++) {
                allowed[i * tk + j] = true;
            }
        }
        Tensor mask = Tensor.on(q.backend(), q.device()).of(allowed, tq, tk);
        Tensor probs = softmax(mask.where(scores, scores.scalarLike(Double.NEGATIVE_INFINITY)));
        return dropout(probs, dropout, seed).matmul(v);
    }

    /**
     * Attention of q (B, H, Tq, D) over k, v (B, H, Tk, D) with scale 1/sqrt(D) and an additive
     * {@code mask} broadcastable to (B, H, Tq, Tk): 0 where a query may see a key, -inf where not.
     */
    public static Tensor maskedAttention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        Tensor scores = q.matmul(k, false, true).mul(1 / Math.sqrt(q.dim(-1))); // (B, H, Tq, Tk)
        return softmax(scores.add(mask)).matmul(v);
    }

    /**
     * Causal attention (no dropout, scale 1/sqrt(D)) straight from a fused q/k/v projection
     * {@code qkv} (B·T, 3·H·D): per row H query heads, then H key heads, then H value heads. Returns
     * (B, H, T, D); equal to {@link #causalAttention} on the heads split out of qkv, with a cheaper
     * backward (qkv's gradient in one piece).
     */
    public static Tensor causalAttentionPacked(Tensor qkv, int batch, int heads) {
        int headDim = qkv.dim(-1) / (3 * heads);
        return FusedOps.causalAttentionPacked(qkv, batch, heads, 1 / Math.sqrt(headDim));
    }

    /** One-hot BOOL -> floats helper: 1 where {@code mask}, else 0, in {@code dtype}. */
    public static Tensor toFloat(Tensor mask, DType dtype) {
        Tensor one = Tensor.on(mask.backend(), mask.device()).scalar(1, dtype);
        Tensor zero = Tensor.on(mask.backend(), mask.device()).scalar(0, dtype);
        return mask.where(one, zero);
    }
}
