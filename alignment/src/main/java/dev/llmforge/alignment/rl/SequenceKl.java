package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.WilsonInterval;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.List;

/**
 * KL(π ‖ π_ref) per response: one response per prompt sampled from the model (the sampler's temperature), the sum over
 * its tokens of {@code log π − log π_ref} (the k1 estimate, unbiased for the sequence KL), averaged over responses,
 * with a 95% normal interval of the mean. How far RLHF moved a model from its SFT starting point.
 *
 * @param mean      the mean KL per response, in nats
 * @param halfWidth 1.96 standard errors
 * @param responses how many responses
 */
public record SequenceKl(double mean, double halfWidth, int responses) {
    /**
     * Samples with {@code sampler} (whose model is {@code model}), {@code batch} prompts per call, the call starting at
     * prompt i seeded {@code seed + i}; both models score the responses at the sampler's temperature.
     */
    @SuppressWarnings("try") // the scope frees the masks' tensors in close()
    public static SequenceKl measure(Gpt model, Gpt reference, RolloutSampler sampler, List<RolloutPrompt> prompts, int batch, long seed,
                                     TensorFactory tensors) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("the KL needs at least one prompt");
        }
        double[] kl = new double[prompts.size()];
        for (int first = 0; first < prompts.size(); first += batch) {
            Rollout rollout = sampler.sample(prompts.subList(first, Math.min(prompts.size(), first + batch)), 1, seed + first);
            float[] policy = rollout.logProbsUnder(model, sampler.temperature(), tensors);        // (B, T)
            float[] referenceLp = rollout.logProbsUnder(reference, sampler.temperature(), tensors); // (B, T)
            float[] mask;
            try (TensorScope ignored = TensorScope.open()) {
                mask = rollout.batch().responseMask(tensors).toFloatArray(); // (B, T)
            }
            int length = rollout.batch().length();
            for (int i = 0; i < mask.length; i++) {
                kl[first + i / length] += mask[i] * (policy[i] - referenceLp[i]);
            }
        }
        double mean = 0;
        for (double v : kl) {
            mean += v / kl.length;
        }
        double variance = 0;
        for (double v : kl) {
            variance += (v - mean) * (v - mean) / Math.max(1, kl.length - 1);
        }
        return new SequenceKl(mean, WilsonInterval.Z95 * Math.sqrt(variance / kl.length), kl.length);
    }
}
