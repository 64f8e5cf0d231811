package dev.llmforge.generate;

import java.util.Arrays;

/**
 * One generated sequence.
 *
 * @param prompt    the prompt's token ids
 * @param tokens    the generated token ids (without a final stop token; including the token that
 *                  completed a stop string)
 * @param stopToken the stop token that ended generation ({@link StopReason#STOP_TOKEN}), else -1
 * @param logProbs  the log-probability of each token of {@link #completion()} under the distribution
 *                  it was sampled from (see {@link Sampler.Choice})
 * @param text      the generated text, cut before a stop string; null without a decoder
 * @param reason    why generation ended
 */
public record GenerationResult(int[] prompt, int[] tokens, int stopToken, float[] logProbs, String text, StopReason reason) {
    public GenerationResult {
        int sampled = tokens.length + (stopToken >= 0 ? 1 : 0);
        if (logProbs.length != sampled) {
            throw new IllegalArgumentException(logProbs.length + " log-probabilities for " + sampled + " sampled tokens");
        }
    }

    /** Prompt followed by the generated tokens. */
    public int[] allTokens() {
        return concat(prompt, tokens);
    }

    /**
     * Every sampled token: the generated tokens and the stop token if one ended generation — the
     * response a reinforcement-learning step scores (an EOS must be learnt like any other token).
     */
    public int[] completion() {
        return stopToken < 0 ? tokens.clone() : concat(tokens, new int[] {stopToken});
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Override
    public String toString() {
        return "GenerationResult(" + tokens.length + " tokens, " + reason + (text == null ? "" : ", \"" + text + "\"") + ")";
    }
}
