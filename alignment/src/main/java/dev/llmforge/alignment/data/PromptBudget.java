package dev.llmforge.alignment.data;

/**
 * How a prompt and a response share a length limit. When both fit, nothing is cut. Otherwise the prompt keeps its
 * end (the question and the assistant header right before the response) and the response its start: the prompt
 * keeps all the room the response leaves, but at least half the limit (or all of itself, if shorter), and the
 * response the rest.
 */
final class PromptBudget {
    private PromptBudget() {
    }

    /**
     * How many of the prompt's last tokens to keep.
     *
     * @param prompt    the prompt's length
     * @param response  the (longest) response's length
     * @param maxTokens the limit
     */
    static int promptTokensKept(int prompt, int response, int maxTokens) {
        if (prompt + response <= maxTokens) {
            return prompt;
        }
        return Math.min(prompt, Math.max(maxTokens - response, maxTokens / 2));
    }

    static void checkLimit(int maxTokens) {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("an example needs room for at least 2 tokens (a prompt token and a "
                    + "response token), found maxTokens " + maxTokens);
        }
    }
}
