package dev.llmforge.alignment.rl;

/**
 * A figure of one sampled response that a run watches without optimising it: what a program knows about the
 * response (its answer checked, a labeler's score) logged beside the reward the run does optimise, so that
 * reward hacking — the optimised score rising while the watched one falls — shows in the curves.
 */
@FunctionalInterface
public interface ResponseMeasure {
    /** The figure of row {@code row} of {@code rollout} (its prompt, decoded response, and whether it ended at the end of turn). */
    double of(Rollout rollout, int row);

    /** A programmatic reward as a measure: its score of the row's prompt text, response and record. */
    static ResponseMeasure of(Reward reward) {
        return (rollout, row) -> reward.score(rollout.promptTexts().get(row), rollout.response(row), rollout.prompts().get(row));
    }
}
