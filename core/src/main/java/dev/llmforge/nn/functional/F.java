package dev.llmforge.nn.functional;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import java.util.Arrays;

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
        return x.sub(logSumExp(x));
    }

    /** log(sum(exp(x))) over the last axis, kept as a size-1 axis: (..., V) → (..., 1); stable for large x. */
    public static Tensor logSumExp(Tensor x) {
        int[] last = {x.rank() - 1};
        Tensor max = x.max(last, true).detach(); // the shift changes nothing but the rounding
        return x.sub(max).exp().sum(last, true).log().add(max);
    }

    /** Entropy of softmax(x) over the last axis, -sum(p log p) = logSumExp(x) - sum(p x): (..., V) → (...), x finite. */
    public static Tensor entropy(Tensor logits) {
        int[] last = {logits.rank() - 1};
        Tensor expected = softmax(logits).mul(logits).sum(last, true);
        return dropLastAxis(logSumExp(logits).sub(expected));
    }

    /**
     * log softmax(logits)[target] for each row: {@code logits} (..., V) and integer {@code targets}
     * (...) give (...). Only the targets' logits and the normaliser are read out, never the whole
     * log-softmax.
     */
    public static Tensor tokenLogProbs(Tensor logits, Tensor targets) {
        checkClassShapes("tokenLogProbs", logits, targets);
        int v = logits.dim(-1);
        long[] t = targets.toLongArray();
        long[] flat = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= v) {
                throw new IndexOutOfBoundsException("tokenLogProbs: target " + t[i] + " at flat index " + i + " is outside [0, " + v + ")");
            }
            flat[i] = (long) i * v + t[i];
        }
        Tensor picked = logits.reshape(t.length * v, 1).gather(0, Tensor.on(logits.backend(), logits.device()).of(flat, t.length)); // (N, 1)
        return picked.reshape(targets.shape()).sub(dropLastAxis(logSumExp(logits)));
    }

    /**
     * Sum over the last axis of {@code values} (..., T) where {@code mask} (..., T) is 1: (...). The
     * mask holds 0/1 in any dtype.
     */
    public static Tensor maskedSum(Tensor values, Tensor mask) {
        return values.mul(floatMask("maskedSum", values, mask, false)).sum(new int[] {values.rank() - 1}, false);
    }

    /**
     * Mean over the last axis of {@code values} (..., T) where {@code mask} (..., T) is 1: (...). The
     * mask holds 0/1 in any dtype; a row that selects nothing has no mean and is an error.
     */
    public static Tensor maskedMean(Tensor values, Tensor mask) {
        Tensor m = floatMask("maskedMean", values, mask, true);
        int[] last = {values.rank() - 1};
        return values.mul(m).sum(last, false).div(m.sum(last, false));
    }

    /** {@code mask} as 0/1 of {@code values}' dtype, checked on the host. */
    private static Tensor floatMask(String op, Tensor values, Tensor mask, boolean everyRowSelects) {
        if (!mask.shape().equals(values.shape())) {
            throw new IllegalArgumentException(op + ": mask " + mask.shape() + " must have the shape of the values " + values.shape());
        }
        double[] m = mask.toDoubleArray();
        int t = values.dim(-1);
        for (int row = 0; row * t < m.length; row++) {
            int selected = 0;
            for (int i = row * t; i < (row + 1) * t; i++) {
                if (m[i] != 0 && m[i] != 1) {
                    throw new IllegalArgumentException(op + ": mask entries must be 0 or 1, found " + m[i] + " at flat index " + i);
                }
                selected += (int) m[i];
            }
            if (everyRowSelects && selected == 0) {
                throw new IllegalArgumentException(op + ": mask row " + row + " selects nothing, so it has no mean");
            }
        }
        return mask.dtype() == values.dtype() ? mask : mask.cast(values.dtype());
    }

    private static Tensor dropLastAxis(Tensor x) {
        int[] dims = x.shape().dims();
        return x.reshape(Arrays.copyOf(dims, dims.length - 1));
    }

    private static void checkClassShapes(String op, Tensor logits, Tensor targets) {
        if (logits.rank() != targets.rank() + 1) {
            throw new IllegalArgumentException(op + ": logits " + logits.shape() + " need one more dim (the classes) than targets "
                    + targets.shape());
        }
        for (int i = 0; i < targets.rank(); i++) {
            if (targets.dim(i) != logits.dim(i)) {
                throw new IllegalArgumentException(op + ": logits " + logits.shape() + " do not match targets " + targets.shape());
            }
        }
    }

    /**
     * Mean cross-entropy of {@code logits} (..., V) against integer {@code targets} (...), over the
     * targets that are not {@code ignoreIndex} (a batch where every target is ignored gives 0).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        int v = logits.dim(-1);
        checkClassShapes("crossEntropy", logits, targets);
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
     * log σ(x) = −softplus(−x), computed as min(x, 0) − log(1 + exp(−|x|)): finite for every finite x (the pairwise
     * losses of reward models and DPO, {@code −log σ(margin)}, saturate without it).
     */
    public static Tensor logSigmoid(Tensor x) {
        Tensor abs = x.maximum(x.neg());
        return x.sub(x.maximum(0)).sub(abs.neg().exp().add(1).log());
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
        if (dropout == 0) {
            return FusedOps.causalAttention(q, k, v, 1 / Math.sqrt(q.dim(-1)));
        }
        int tq = q.dim(2);
        int tk = k.dim(2);
        float[] causal = new float[tq * tk];
        for (int i = 0; i < tq; i++) {
            for (int j = i + tk - tq + 1; j < tk; j++) {
                causal[i * tk + j] = Float.NEGATIVE_INFINITY;
            }
        }
        Tensor mask = Tensor.on(q.backend(), q.device()).of(causal, tq, tk);
        return maskedAttention(q, k, v, mask.dtype() == q.dtype() ? mask : mask.cast(q.dtype()), dropout, seed);
    }

    /**
     * Attention of q (B, H, Tq, D) over k, v (B, H, Tk, D) with scale 1/sqrt(D) and an additive
     * {@code mask} broadcastable to (B, H, Tq, Tk): 0 where a query may see a key, -inf where not.
     * With {@code dropout > 0} the attention weights are dropped out (seeded).
     */
    public static Tensor maskedAttention(Tensor q, Tensor k, Tensor v, Tensor mask, double dropout, long seed) {
        Tensor scores = q.matmul(k, false, true).mul(1 / Math.sqrt(q.dim(-1))); // (B, H, Tq, Tk)
        Tensor weights = softmax(scores.add(mask));
        return dropout(weights, dropout, seed).matmul(v); // (B, H, Tq, D)
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
