package dev.llmforge.alignment.rl;

/**
 * The adaptive KL coefficient of Ziegler et al. (2019): after each rollout the coefficient moves towards the
 * value that keeps the KL to the reference at a target, by {@code β ← β (1 + e·n/horizon)} with the proportional
 * error {@code e = clip(KL/target − 1, −0.2, 0.2)} and n the rollout's responses.
 */
final class AdaptiveKlController {
    private final double target;
    private final double horizon;
    private double coefficient;

    AdaptiveKlController(double initial, double target, double horizon) {
        if (!(target > 0) || !(horizon > 0)) {
            throw new IllegalArgumentException("the KL target and horizon must be positive, got " + target + " and " + horizon);
        }
        this.coefficient = initial;
        this.target = target;
        this.horizon = horizon;
    }

    /** After a rollout of {@code responses} responses whose mean KL (summed over each response) was {@code kl}. */
    void update(double kl, int responses) {
        double error = Math.max(-0.2, Math.min(0.2, kl / target - 1));
        coefficient *= 1 + error * responses / horizon;
    }

    double coefficient() {
        return coefficient;
    }

    void setCoefficient(double v) {
        coefficient = v;
    }
}
