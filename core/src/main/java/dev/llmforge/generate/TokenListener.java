package dev.llmforge.generate;

/** Receives each generated token as soon as it is chosen (streaming). */
@FunctionalInterface
public interface TokenListener {
    /**
     * @param promptIndex which prompt of the batch (0 for a single prompt)
     * @param token       the new token id (stop tokens are not reported)
     */
    void onToken(int promptIndex, int token);
}
