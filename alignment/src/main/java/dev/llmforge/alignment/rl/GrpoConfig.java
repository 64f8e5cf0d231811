package dev.llmforge.alignment.rl;

import java.util.Objects;

/**
 * Settings of GRPO (Shao et al. 2024, DeepSeekMath) beyond the loop's.
 *
 * @param promptsPerStep prompts sampled for each step
 * @param groupSize      G: responses sampled per prompt; the advantage compares them with each other
 * @param beta           weight of the k3 KL penalty to the reference in the loss (0 allowed: DAPO and Dr. GRPO drop it)
 * @param clip           ε of the clipped ratio
 * @param iterations     μ: passes over each rollout (1: the ratio is 1 and clipping never acts)
 * @param minibatches    updates per pass, each on an equal share of the rollout's rows (groups may be split)
 * @param averaging      how the per-token loss is averaged
 * @param stdEpsilon     ε in {@code (r - mean) / (std + ε)}
 */
public record GrpoConfig(int promptsPerStep, int groupSize, double beta, double clip, int iterations, int minibatches,
                         LossAveraging averaging, double stdEpsilon) {
    public GrpoConfig {
        Objects.requireNonNull(averaging, "averaging");
        if (promptsPerStep <= 0 || iterations <= 0 || minibatches <= 0) {
            throw new IllegalArgumentException("prompts per step, iterations and minibatches must be positive, got " + promptsPerStep + ", "
                    + iterations + ", " + minibatches);
        }
        if (groupSize < 2) {
            throw new IllegalArgumentException("a group needs at least 2 responses to compare, got " + groupSize);
        }
        if (minibatches > promptsPerStep * groupSize) {
            throw new IllegalArgumentException(minibatches + " minibatches for a rollout of only " + promptsPerStep * groupSize + " responses");
        }
        if (!(beta >= 0) || !(clip > 0) || !(stdEpsilon > 0)) {
            throw new IllegalArgumentException("beta must be >= 0, clip and the std epsilon > 0; got " + beta + ", " + clip + ", " + stdEpsilon);
        }
    }

    /**
     * DeepSeekMath's settings where they fit a small run: G = 8, β = 0.04, ε = 0.2, one pass (μ = 1), one
     * update per rollout, the paper's sequence averaging, and TRL's std ε of 1e-4.
     */
    public static GrpoConfig defaults(int promptsPerStep) {
        return new GrpoConfig(promptsPerStep, 8, 0.04, 0.2, 1, 1, LossAveraging.SEQUENCE, 1e-4);
    }
}
