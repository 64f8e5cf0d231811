package dev.llmforge.autograd;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused operations with autograd: each forward calls the backend's {@link FusedKernels} and
 * records a node whose backward calls the matching fused backward.
 */
public final class FusedOps {
    private FusedOps() {
    }

    /** Mean cross-entropy of logits (N, V) against targets (N) over targets != ignoreIndex (0 if none). */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor targets, long ignoreIndex) {
        Ops.sameBackend("softmaxCrossEntropy", logits, targets);
        requireFloating("softmaxCrossEntropy", logits);
        if (logits.rank() != 2 || targets.rank() != 1 || targets.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("softmaxCrossEntropy: expected logits (N, V) and targets (N), got logits "
                    + logits.shape() + " and targets " + targets.shape());
        }
        if (targets.dtype() != DType.I32 && targets.dtype() != DType.I64) {
            throw new IllegalArgumentException("softmaxCrossEntropy: targets must be I32 or I64, got " + targets.dtype());
        }
        checkTargets(targets, logits.dim(1), ignoreIndex);
        Backend b = logits.backend();
        boolean backward = Node.needed(logits, targets);
        FusedKernels.Result res = Dispatch.call("fused.softmaxCrossEntropy", b,
                () -> Dispatch.fused(b).softmaxCrossEntropy(logits.nativeTensor(), targets.nativeTensor(), ignoreIndex, backward));
        return finish("softmaxCrossEntropy", logits, res, Shape.scalar(), backward, saved -> g -> {
            NativeTensor d = Dispatch.call("fused.softmaxCrossEntropyBackward", b, () -> Dispatch.fused(b).softmaxCrossEntropyBackward(
                    logits.nativeTensor(), targets.nativeTensor(), ignoreIndex, saved.get(), g.nativeTensor()));
            return new Tensor[] {Dispatch.wrap("softmaxCrossEntropyBackward", b, d, logits.shape(), logits.dtype()), null};
        }, logits, targets);
    }

    /** Layer normalisation over the last axis; weight and bias (C) may be null. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        requireFloating("layerNorm", x);
        int c = x.dim(-1);
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p != null) {
                Ops.sameBackend("layerNorm", x, p);
                Ops.sameDtype("layerNorm", x, p);
                if (!p.shape().equals(Shape.of(c))) {
                    throw new IllegalArgumentException("layerNorm: weight/bias must have shape [" + c + "] for input "
                            + x.shape() + ", got " + p.shape());
                }
            }
        }
        Backend b = x.backend();
        NativeTensor w = weight == null ? null : weight.nativeTensor();
        NativeTensor bi = bias == null ? null : bias.nativeTensor();
        boolean backward = Node.needed(x, weight, bias);
        FusedKernels.Result res = Dispatch.call("fused.layerNorm", b, () -> Dispatch.fused(b).layerNorm(x.nativeTensor(), w, bi, eps, backward));
        return finish("layerNorm", x, res, x.shape(), backward, saved -> g -> {
            NativeTensor[] d = Dispatch.call("fused.layerNormBackward", b, () -> Dispatch.fused(b).layerNormBackward(x.nativeTensor(),
                    weight == null ? null : weight.nativeTensor(), bias == null ? null : bias.nativeTensor(), eps, saved.get(), g.nativeTensor()));
            return new Tensor[] {
                Dispatch.wrap("layerNormBackward", b, d[0], x.shape(), x.dtype()),
                weight == null ? null : Dispatch.wrap("layerNormBackward", b, d[1], weight.shape(), x.dtype()),
                bias == null ? null : Dispatch.wrap("layerNormBackward", b, d[2], bias.shape(), x.dtype())};
        }, x, weight, bias);
    }

    /** GELU; {@code tanhApproximation} selects GPT-2's form. */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) {
        requireFloating("gelu", x);
        Backend b = x.backend();
        boolean backward = Node.needed(x);
        FusedKernels.Result res = Dispatch.call("fused.gelu", b, () -> Dispatch.fused(b).gelu(x.nativeTensor(), tanhApproximation, backward));
        return finish("gelu", x, res, x.shape(), backward, saved -> g -> {
            NativeTensor d = Dispatch.call("fused.geluBackward", b,
                    () -> Dispatch.fused(b).geluBackward(x.nativeTensor(), tanhApproximation, saved.get(), g.nativeTensor()));
            return new Tensor[] {Dispatch.wrap("geluBackward", b, d, x.shape(), x.dtype())};
        }, x);
    }

    /** Softmax over the last axis. */
    public static Tensor softmax(Tensor x) {
        requireFloating("softmax", x);
        if (x.rank() == 0) {
            throw new IllegalArgumentException("softmax: needs rank >= 1, got a scalar");
        }
        Backend b = x.backend();
        boolean backward = Node.needed(x);
        FusedKernels.Result res = Dispatch.call("fused.softmax", b, () -> Dispatch.fused(b).softmax(x.nativeTensor(), backward));
        return finish("softmax", x, res, x.shape(), backward, saved -> g -> {
            NativeTensor d = Dispatch.call("fused.softmaxBackward", b, () -> Dispatch.fused(b).softmaxBackward(saved.get(), g.nativeTensor()));
            return new Tensor[] {Dispatch.wrap("softmaxBackward", b, d, x.shape(), x.dtype())};
        }, x);
    }

    /**
     * Causal scaled dot-product attention: q (B, H, Tq, D), k and v (B, H, Tk, D) with Tq <= Tk; the
     * queries are the last Tq positions of the Tk keys.
     */
    public static Tensor causalAttention(Tensor q, Tensor k, Tensor v, double scale) {
        Ops.sameBackend("causalAttention", q, k, v);
        Ops.sameDtype("causalAttention", q, k);
        Ops.sameDtype("causalAttention", q, v);
        requireFloating("causalAttention", q);
        if (q.rank() != 4 || !k.shape().equals(v.shape()) || k.rank() != 4 || q.dim(0) != k.dim(0) || q.dim(1) != k.dim(1)
                || q.dim(3) != k.dim(3) || q.dim(2) > k.dim(2)) {
            throw new IllegalArgumentException("causalAttention: expected q (B, H, Tq, D) and k, v (B, H, Tk, D) with Tq <= Tk, got q "
                    + q.shape() + ", k " + k.shape() + ", v " + v.shape());
        }
        Backend b = q.backend();
        boolean backward = Node.needed(q, k, v);
        FusedKernels.Result res = Dispatch.call("fused.causalAttention", b,
                () -> Dispatch.fused(b).causalAttention(q.nativeTensor(), k.nativeTensor(), v.nativeTensor(), scale, backward));
        return finish("causalAttention", q, res, q.shape(), backward, saved -> g -> {
            NativeTensor[] d = Dispatch.call("fused.causalAttentionBackward", b, () -> Dispatch.fused(b).causalAttentionBackward(
                    q.nativeTensor(), k.nativeTensor(), v.nativeTensor(), scale, saved.get(), g.nativeTensor()));
            return new Tensor[] {
                Dispatch.wrap("causalAttentionBackward", b, d[0], q.shape(), q.dtype()),
                Dispatch.wrap("causalAttentionBackward", b, d[1], k.shape(), k.dtype()),
                Dispatch.wrap("causalAttentionBackward", b, d[2], v.shape(), v.dtype())};
        }, q, k, v);
    }

    /**
     * Causal attention straight from a fused q/k/v projection: {@code qkv} (B·T, 3·H·D) holds per row
     * the H query heads, then the H key heads, then the H value heads (Hugging Face GPT-2's c_attn
     * layout). Returns (B, H, T, D), as {@link #causalAttention} on the three slices of
     * {@code qkv.reshape(B, T, 3H, D).permute(0, 2, 1, 3)}; but the backward joins the three head
     * gradients into qkv's gradient with one concatenation (in qkv's own row layout, so no further
     * copy), where slicing would give three zero-padded gradients for autograd to add up.
     */
    public static Tensor causalAttentionPacked(Tensor qkv, int batch, int heads, double scale) {
        requireFloating("causalAttention", qkv);
        if (qkv.rank() != 2 || batch <= 0 || heads <= 0 || qkv.dim(0) % batch != 0 || qkv.dim(1) % (3 * heads) != 0) {
            throw new IllegalArgumentException("causalAttention: expected packed qkv (B·T, 3·H·D) for B = " + batch + ", H = " + heads
                    + ", got " + qkv.shape());
        }
        int t = qkv.dim(0) / batch;
        int d = qkv.dim(1) / (3 * heads);
        Backend b = qkv.backend();
        boolean backward = Node.needed(qkv);
        List<NativeTensor> views = new ArrayList<>(5);
        FusedKernels.Result res;
        try {
            NativeTensor rows = Dispatch.call("reshape", b, () -> Dispatch.kernels(b).reshape(qkv.nativeTensor(), Shape.of(batch, t, 3 * heads, d)));
            views.add(rows);
            NativeTensor split = Dispatch.call("permute", b, () -> Dispatch.kernels(b).permute(rows, new int[] {0, 2, 1, 3})); // (B, 3H, T, D)
            views.add(split);
            for (int i = 0; i < 3; i++) {
                int from = i * heads;
                views.add(Dispatch.call("slice", b, () -> Dispatch.kernels(b).slice(split, 1, from, from + heads)));
            }
            res = Dispatch.call("fused.causalAttention", b,
                    () -> Dispatch.fused(b).causalAttention(views.get(2), views.get(3), views.get(4), scale, backward));
        } catch (RuntimeException | Error e) {
            views.forEach(NativeTensor::close);
            throw e;
        }
        for (NativeTensor v : views.subList(0, 2)) {
            v.close();
        }
        List<NativeTensor> saved = new ArrayList<>(views.subList(2, 5)); // q, k, v, then what the attention saved
        saved.addAll(res.saved());
        return finish("causalAttention", qkv, new FusedKernels.Result(res.output(), saved), Shape.of(batch, heads, t, d), backward, s -> g -> {
            FusedKernels.Result all = s.get();
            List<NativeTensor> h = all.saved();
            FusedKernels.Result attention = new FusedKernels.Result(all.output(), h.subList(3, h.size()));
            NativeTensor[] grads = Dispatch.call("fused.causalAttentionBackward", b, () -> Dispatch.fused(b).causalAttentionBackward(
                    h.get(0), h.get(1), h.get(2), scale, attention, g.nativeTensor())); // dq, dk, dv (B, H, T, D)
            List<NativeTensor> temps = new ArrayList<>(List.of(grads));
            try {
                List<NativeTensor> rowMajor = new ArrayList<>(3);
                for (NativeTensor x : grads) {
                    NativeTensor p = Dispatch.call("permute", b, () -> Dispatch.kernels(b).permute(x, new int[] {0, 2, 1, 3})); // (B, T, H, D)
                    temps.add(p);
                    rowMajor.add(p);
                }
                NativeTensor joined = Dispatch.call("concat", b, () -> Dispatch.kernels(b).concat(rowMajor, 2)); // (B, T, 3H, D)
                temps.add(joined);
                NativeTensor flat = Dispatch.call("reshape", b, () -> Dispatch.kernels(b).reshape(joined, qkv.shape()));
                return new Tensor[] {Dispatch.wrap("reshape", b, flat, qkv.shape(), qkv.dtype())};
            } finally {
                for (NativeTensor x : temps) {
                    x.close();
                }
            }
        }, qkv);
    }

    /**
     * One AdamW step on {@code param} with its gradient and moment buffers, updating all three
     * tensors in place (through the backend's fused kernel or handle replacement).
     */
    public static void adamWUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, FusedKernels.AdamWStep step) {
        Ops.sameBackend("adamW", param, grad, m, v);
        for (Tensor t : new Tensor[] {grad, m, v}) {
            if (!t.shape().equals(param.shape()) || t.dtype() != param.dtype()) {
                throw new IllegalArgumentException("adamW: expected " + param.shape() + " " + param.dtype() + " for gradient and moments, got "
                        + t.shape() + " " + t.dtype());
            }
        }
        Backend b = param.backend();
        NativeTensor[] out = Dispatch.call("fused.adamWUpdate", b, () -> Dispatch.fused(b).adamWUpdate(
                param.nativeTensor(), grad.nativeTensor(), m.nativeTensor(), v.nativeTensor(), step));
        param.adoptNative(out[0]);
        m.adoptNative(out[1]);
        v.adoptNative(out[2]);
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    /** Saved handles of a forward, re-checked (open) when the backward needs them. */
    interface SavedResult {
        FusedKernels.Result get();
    }

    interface BackwardFactory {
        Node.Backward create(SavedResult saved);
    }

    /** Wraps a forward's output; records its backward if {@code needsBackward}, else closes what it saved. */
    private static Tensor finish(String op, Tensor like, FusedKernels.Result res, Shape outShape, boolean needsBackward,
                                 BackwardFactory backward, Tensor... inputs) {
        Backend b = like.backend();
        Tensor out = Dispatch.wrap(op, b, res.output(), outShape, like.dtype());
        if (!needsBackward) {
            for (NativeTensor s : res.saved()) {
                s.close();
            }
            return out;
        }
        // the saved handles live exactly as long as the output whose backward needs them (in a scope or not)
        List<NativeTensor> saved = List.copyOf(res.saved());
        for (NativeTensor s : saved) {
            out.holdUntilClosed(s);
        }
        SavedResult reopen = () -> new FusedKernels.Result(out.nativeTensor(), saved);
        return Node.record(op, out, backward.create(reopen), inputs);
    }

    private static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor, got " + x.describe());
        }
    }

    private static void checkTargets(Tensor targets, int classes, long ignoreIndex) {
        if (targets.knownWithin(0, classes)) {
            return; // uploaded from the host with every value a class: no device read needed
        }
        for (long t : targets.toLongArray()) {
            if (t != ignoreIndex && (t < 0 || t >= classes)) {
                throw new IndexOutOfBoundsException("softmaxCrossEntropy: target " + t + " is out of range [0, " + classes
                        + ") and is not the ignore index " + ignoreIndex);
            }
        }
    }
}
