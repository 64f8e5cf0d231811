package dev.llmforge.alignment.rl;

import dev.llmforge.alignment.data.RolloutPrompt;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.generate.GenerationResult;
import dev.llmforge.generate.RolloutBatch;
import dev.llmforge.generate.StopReason;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.TokenLogProbs;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.List;

/**
 * One batch of sampled responses: per row its prompt record and rendered prompt text, the generation result
 * (tokens, sampling log-probabilities, text, stop reason) and the batch laid out for scoring
 * ({@link RolloutBatch}: prompt left-padded, response right-padded, masks by position).
 */
public record Rollout(List<RolloutPrompt> prompts, List<String> promptTexts, List<GenerationResult> results, RolloutBatch batch) {
    public int rows() {
        return results.size();
    }

    /** The decoded response of a row (without the end-of-turn token). */
    public String response(int row) {
        return results.get(row).text();
    }

    /** True if the row's response ended with the end-of-turn token (not at the length limit). */
    public boolean endedAtEndOfTurn(int row) {
        return results.get(row).reason() != StopReason.MAX_TOKENS;
    }

    /** Sampled tokens in every response, end-of-turn tokens included. */
    public long responseTokens() {
        long n = 0;
        for (GenerationResult r : results) {
            n += r.completion().length;
        }
        return n;
    }

    /**
     * How likely {@code model} finds each token of the rollout at {@code temperature}, without gradients and in
     * evaluation mode (B, T) row-major, aligned with the ids ({@link TokenLogProbs#perToken()}): the old
     * log-probabilities of the policy, or the reference's.
     */
    @SuppressWarnings("try") // scope and grad-mode guards do their work in close()
    public float[] logProbsUnder(Gpt model, double temperature, TensorFactory tensors) {
        boolean training = model.isTraining();
        model.eval();
        try (TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
            Tensor ids = batch.ids(tensors);
            return TokenLogProbs.score(model, ids, batch.attentionMask(tensors), temperature).perToken().toFloatArray();
        } finally {
            model.train(training);
        }
    }
}
