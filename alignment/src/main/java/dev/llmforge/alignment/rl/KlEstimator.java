package dev.llmforge.alignment.rl;

import java.util.Locale;

/**
 * How the KL divergence between the policy and the reference is estimated from the sampled tokens alone
 * (Schulman, "Approximating KL divergence", 2020), with {@code log r = log p_ref(x) - log p_policy(x)}.
 */
public enum KlEstimator {
    /** {@code -log r}: unbiased, high variance, negative on some tokens. */
    K1,
    /** {@code (r - 1) - log r}: unbiased, lower variance, never negative (GRPO's choice). */
    K3;

    /** The estimate for one token. */
    public double of(double logp, double refLogp) {
        double logRatio = refLogp - logp;
        return this == K1 ? -logRatio : Math.expm1(logRatio) - logRatio;
    }

    /** {@code k1} or {@code k3}. */
    public static KlEstimator named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "k1" -> K1;
            case "k3" -> K3;
            default -> throw new IllegalArgumentException("unknown KL estimator \"" + name + "\"; expected k1 or k3");
        };
    }
}
