package dev.llmforge.generate;

import java.util.Arrays;

/**
 * One generated sequence.
 *
 * @param prompt the prompt's token ids
 * @param tokens the generated token ids (without a final stop token; including the token that
 *               completed a stop string)
 * @param text   the generated text, cut before a stop string; null without a decoder
 * @param reason why generation ended
 */
public record GenerationResult(int[] prompt, int[] tokens, String text, StopReason reason) {
    /** Prompt followed by the generated tokens. */
    public int[] allTokens() {
        int[] all = Arrays.copyOf(prompt, prompt.length + tokens.length);
        System.arraycopy(tokens, 0, all, prompt.length, tokens.length);
        return all;
    }

    @Override
    public String toString() {
        return "GenerationResult(" + tokens.length + " tokens, " + reason + (text == null ? "" : ", \"" + text + "\"") + ")";
    }
}
