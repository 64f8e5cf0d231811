package dev.llmforge.alignment.rl;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;

/**
 * The per-token pieces of PPO's and GRPO's policy loss, as tensors (B, T) aligned with the ids. Every result is
 * per token; the caller weights and sums them (padding and prompt tokens get weight 0).
 */
final class PolicyGradient {
    private PolicyGradient() {
    }

    /** The clipped surrogate per token and whether the clipped side was taken. */
    record Surrogate(Tensor loss, Tensor clipped) {
    }

    /**
     * PPO's clipped surrogate (Schulman et al. 2017), as a loss: {@code max(-A·ρ, -A·clip(ρ, 1-ε, 1+ε))} with
     * {@code ρ = exp(logp - oldLogp)}; {@code clipped} is 1 where the clipped term is the larger (its gradient 0).
     */
    static Surrogate clippedSurrogate(Tensor logp, Tensor oldLogp, Tensor advantages, double epsilon) {
        Tensor ratio = logp.sub(oldLogp).exp();
        Tensor unclipped = advantages.neg().mul(ratio);
        Tensor clipped = advantages.neg().mul(clamp(ratio, 1 - epsilon, 1 + epsilon));
        return new Surrogate(unclipped.maximum(clipped), unclipped.lt(clipped).cast(DType.F32));
    }

    /** {@code x} limited to [lo, hi] (gradient 0 outside). */
    static Tensor clamp(Tensor x, double lo, double hi) {
        return x.maximum(lo).neg().maximum(-hi).neg();
    }

    /**
     * KL(policy ‖ reference) per token from log-probabilities of the sampled tokens (Schulman's estimators, with
     * {@code log r = ref - logp}): k1 = {@code -log r}, unbiased, may be negative; k3 = {@code (r - 1) - log r},
     * unbiased and never negative.
     */
    static Tensor kl(KlEstimator estimator, Tensor logp, Tensor refLogp) {
        Tensor logRatio = refLogp.sub(logp);
        return estimator == KlEstimator.K1 ? logRatio.neg() : logRatio.exp().sub(1).sub(logRatio);
    }

    /** {@code sum(values * weights)}: one number, the weights say which tokens count and how much. */
    static Tensor weightedSum(Tensor values, Tensor weights) {
        return values.mul(weights).sum();
    }
}
