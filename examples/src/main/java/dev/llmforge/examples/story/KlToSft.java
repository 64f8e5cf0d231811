package dev.llmforge.examples.story;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.alignment.rl.RolloutSampler;
import dev.llmforge.alignment.rl.SequenceKl;
import dev.llmforge.model.Gpt;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tokenizer.Tokenizer;
import java.util.List;

/**
 * KL(π ‖ π_SFT) per response: one response per prompt sampled from the model at temperature 1, the sum over its
 * tokens of {@code log π − log π_SFT} (the k1 estimate, unbiased for the sequence KL), averaged over responses, with
 * a 95% normal interval of the mean ({@link SequenceKl}).
 *
 * @param mean      the mean KL per response, in nats
 * @param halfWidth 1.96 standard errors
 * @param responses how many responses
 */
record KlToSft(double mean, double halfWidth, int responses) {
    static KlToSft measure(StoryRun run, Gpt model, Gpt sft, Tokenizer tokenizer, List<RolloutPrompt> prompts) {
        try (RolloutSampler sampler = new RolloutSampler(model, tokenizer, run.template(), 1.0, run.plan().maxNewTokens())) {
            SequenceKl kl = SequenceKl.measure(model, sft, sampler, prompts, run.plan().generationBatch(), run.seed(), Tensor.on(run.backend()));
            return new KlToSft(kl.mean(), kl.halfWidth(), kl.responses());
        }
    }
}
