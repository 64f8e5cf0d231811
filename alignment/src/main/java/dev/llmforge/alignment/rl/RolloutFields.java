package dev.llmforge.alignment.rl;

/** The names of the (B, T) fields of a scored rollout's minibatches (besides {@code Batch.IDS}). */
final class RolloutFields {
    static final String ATTENTION_MASK = "attention_mask";
    static final String RESPONSE_MASK = "response_mask";
    static final String OLD_LOGPROBS = "old_logprobs";
    static final String REF_LOGPROBS = "ref_logprobs";
    static final String ADVANTAGES = "advantages";
    static final String OLD_VALUES = "old_values";
    static final String RETURNS = "returns";

    private RolloutFields() {
    }
}
