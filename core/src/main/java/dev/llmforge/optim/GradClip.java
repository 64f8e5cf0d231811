package dev.llmforge.optim;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Gradient clipping by global L2 norm, as PyTorch's {@code clip_grad_norm_}: every gradient is
 * multiplied by {@code min(1, maxNorm / (norm + 1e-6))}. Computed on the device, so it also works where
 * a whole training step runs as one graph and a GPU is not made to wait for the host. Run eagerly on
 * the CPU, where reading that factor costs nothing, it skips the multiplications when the factor is
 * one (the gradients would be unchanged).
 */
public final class GradClip {
    private GradClip() {
    }

    /**
     * Clips the gradients of {@code params} (those that have one) in place and returns the total norm
     * before clipping as a rank-0 tensor (read it with {@code item()} for logging), or null if no
     * parameter has a gradient. Like any result, the norm joins the enclosing scope (the caller
     * owns it when there is none).
     */
    public static Tensor clipGlobalNorm(Collection<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, got " + maxNorm);
        }
        List<Tensor> withGrad = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                withGrad.add(p);
            }
        }
        if (withGrad.isEmpty()) {
            return null;
        }
        try (GradMode.Restore ignored = GradMode.noGrad(); TensorScope scope = TensorScope.open()) {
            Tensor norm = globalNorm(withGrad);
            Tensor coef = norm.add(1e-6).reciprocal().mul(maxNorm);
            Tensor scale = coef.lt(1).where(coef, coef.scalarLike(1)); // min(1, coef)
            if (readableForFree(norm) && scale.item() == 1) {
                return scope.keep(norm); // nothing to clip: multiplying by one would change no gradient
            }
            for (Tensor p : withGrad) {
                p.setGrad(p.grad().mul(scale));
            }
            return scope.keep(norm);
        }
    }

    /** True when reading {@code t} on the host neither breaks a captured step nor stalls a device. */
    private static boolean readableForFree(Tensor t) {
        return !Dispatch.isCapturing() && !t.device().isGpu();
    }

    /** The L2 norm of all gradients together, rank 0, computed on the device (in the current scope). */
    public static Tensor globalNorm(Collection<Tensor> params) {
        Tensor total = null;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) {
                Tensor sq = g.square().sum();
                total = total == null ? sq : total.add(sq);
            }
        }
        if (total == null) {
            throw new IllegalArgumentException("no parameter has a gradient");
        }
        return total.sqrt();
    }
}
