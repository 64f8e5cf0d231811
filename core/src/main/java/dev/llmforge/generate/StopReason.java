package dev.llmforge.generate;

/** Why generation of one sequence ended. */
public enum StopReason {
    /** maxNewTokens were generated. */
    MAX_TOKENS,
    /** A stop token id was sampled (it is not part of the output). */
    STOP_TOKEN,
    /** The text came to contain a stop string (the output text ends before it). */
    STOP_STRING
}
