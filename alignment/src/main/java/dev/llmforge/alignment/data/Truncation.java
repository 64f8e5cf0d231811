package dev.llmforge.alignment.data;

import java.util.List;

/**
 * How many tokens an example lost to fit its length: from the start of the prompt and from the end of the
 * response(s).
 *
 * @param promptTokensDropped   tokens cut from the start of the prompt
 * @param responseTokensDropped tokens cut from the end of the response (both responses' for a preference pair)
 */
public record Truncation(int promptTokensDropped, int responseTokensDropped) {
    /** Nothing was cut. */
    public static final Truncation NONE = new Truncation(0, 0);

    /** Whether anything was cut. */
    public boolean truncated() {
        return promptTokensDropped > 0 || responseTokensDropped > 0;
    }

    /**
     * E.g. {@code "3 of 100 examples truncated (prompt cut in 2, response cut in 2; 345 tokens dropped)"}, or
     * {@code "none of 100 examples truncated"}.
     */
    public static String summary(List<Truncation> truncations) {
        int truncated = 0;
        int prompts = 0;
        int responses = 0;
        long dropped = 0;
        for (Truncation truncation : truncations) {
            truncated += truncation.truncated() ? 1 : 0;
            prompts += truncation.promptTokensDropped > 0 ? 1 : 0;
            responses += truncation.responseTokensDropped > 0 ? 1 : 0;
            dropped += truncation.promptTokensDropped + truncation.responseTokensDropped;
        }
        if (truncated == 0) {
            return "none of " + truncations.size() + " examples truncated";
        }
        return String.format("%d of %d examples truncated (prompt cut in %d, response cut in %d; %d tokens dropped)",
                truncated, truncations.size(), prompts, responses, dropped);
    }
}
