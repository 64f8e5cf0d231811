package dev.llmforge.examples.story;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.eval.WilsonInterval;
import dev.llmforge.alignment.rl.Rollout;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * KL(π ‖ π_SFT) per response: one response per prompt sampled from the model at temperature 1, the sum over its
 * tokens of {@code log π − log π_SFT} (the k1 estimate, unbiased for the sequence KL), averaged over responses, with
 * a 95% normal interval of the mean.
 *
 * @param mean      the mean KL per response, in nats
 * @param halfWidth 1.96 standard errors
 * @param responses how many responses
 */
record KlToSft(double mean, double halfWidth, int responses) {
    @SuppressWarnings("try") // the scope frees the masks' tensors in close()
    static KlToSft measure(StoryRun run, Gpt model, Gpt sft, Tokenizer tokenizer, List<RolloutPrompt> prompts) {
        TensorFactory tensors = Tensor.on(run.backend());
        double[] kl = new double[prompts.size()];
        try (RolloutSampler sampler = new RolloutSampler(model, tokenizer, run.template(), 1.0, run.plan().maxNewTokens())) {
            int perCall = run.plan().generationBatch();
            for (int first = 0; first < prompts.size(); first += perCall) {
                Rollout rollout = sampler.sample(prompts.subList(first, Math.min(prompts.size(), first + perCall)), 1, run.seed() + first);
                float[] policy = rollout.logProbsUnder(model, 1.0, tensors);  // (B, T)
                float[] reference = rollout.logProbsUnder(sft, 1.0, tensors); // (B, T)
                float[] mask;
                try (TensorScope ignored = TensorScope.open()) {
                    mask = rollout.batch().responseMask(tensors).toFloatArray(); // (B, T)
                }
                int length = rollout.batch().length();
                for (int i = 0; i < mask.length; i++) {
                    kl[first + i / length] += mask[i] * (policy[i] - reference[i]);
                }
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
        return new KlToSft(mean, WilsonInterval.Z95 * Math.sqrt(variance / kl.length), kl.length);
    }
}
