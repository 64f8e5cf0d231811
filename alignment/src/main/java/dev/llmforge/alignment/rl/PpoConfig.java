package dev.llmforge.alignment.rl;

import java.util.Objects;

/**
 * Settings of PPO for language models (Ziegler et al. 2019, Stiennon et al. 2020, InstructGPT) beyond the loop's.
 *
 * @param promptsPerStep    prompts (one response each) per rollout
 * @param epochs            passes over each rollout
 * @param minibatches       updates per pass, each on an equal share of the rollout's rows
 * @param clip              ε of the policy's clipped ratio
 * @param valueClip         how far a value prediction may move from the rollout's value before its loss is clipped
 * @param valueCoefficient  weight of the value loss in the one loss of policy and value model
 * @param gamma             γ of GAE
 * @param lambda            λ of GAE
 * @param klCoefficient     β of the per-token KL penalty in the reward (the initial one with a target)
 * @param klEstimator       the per-token KL estimate the penalty uses
 * @param klTarget          the adaptive controller's KL target per response (0: fixed coefficient)
 * @param klHorizon         the adaptive controller's horizon, in responses
 * @param missingEosPenalty subtracted from the score of a response that hit the length limit (0: none)
 */
public record PpoConfig(int promptsPerStep, int epochs, int minibatches, double clip, double valueClip, double valueCoefficient,
                        double gamma, double lambda, double klCoefficient, KlEstimator klEstimator, double klTarget, double klHorizon,
                        double missingEosPenalty) {
    public PpoConfig {
        Objects.requireNonNull(klEstimator, "klEstimator");
        if (promptsPerStep <= 0 || epochs <= 0 || minibatches <= 0 || minibatches > promptsPerStep) {
            throw new IllegalArgumentException("prompts per step, epochs and minibatches must be positive, with at most one minibatch per "
                    + "prompt; got " + promptsPerStep + ", " + epochs + ", " + minibatches);
        }
        if (!(clip > 0) || !(valueClip > 0) || !(valueCoefficient >= 0) || !(klCoefficient >= 0) || !(klTarget >= 0) || !(klHorizon > 0)
                || !(missingEosPenalty >= 0)) {
            throw new IllegalArgumentException("clip ranges and the KL horizon must be > 0; the value coefficient, KL coefficient, KL "
                    + "target and missing-EOS penalty >= 0");
        }
        if (!(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("gamma and lambda must be in [0, 1], got " + gamma + " and " + lambda);
        }
    }

    /**
     * TRL's PPO defaults: 4 epochs, one minibatch, clip 0.2 for ratio and value, value coefficient 0.1, γ = 1,
     * λ = 0.95, k1 KL with coefficient 0.05, fixed; no missing-EOS penalty. The coefficient is TRL's 0.05 rather
     * than InstructGPT's 0.02: InstructGPT's policies were 1.3B–175B parameters with a reward model normalised on
     * SFT answers; a small policy against a small reward model finds the reward model's blind spots sooner, and the
     * larger leash is the safer default. The adaptive controller (Ziegler et al.: target 6, horizon 10,000) is
     * off unless a target is given.
     */
    public static PpoConfig defaults(int promptsPerStep) {
        return new PpoConfig(promptsPerStep, 4, 1, 0.2, 0.2, 0.1, 1.0, 0.95, 0.05, KlEstimator.K1, 0, 10_000, 0);
    }
}
