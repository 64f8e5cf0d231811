package dev.llmforge.alignment.preference;

import dev.llmforge.alignment.rl.ResponseMeasure;
import dev.llmforge.alignment.rl.Rollout;

/**
 * The {@link ProgrammaticLabeler}'s score of a sampled response ({@link ResponseFeatures#score()}: 4 for a correct
 * answer, 2 for answering, 1 for ending at the end of the turn, and up to 1 for brevity): what the stand-in human
 * rankers think of it, watched while a run optimises a learned reward.
 */
public final class LabelerScore implements ResponseMeasure {
    @Override
    public double of(Rollout rollout, int row) {
        Sample sample = new Sample(rollout.response(row), rollout.endedAtEndOfTurn(row));
        return ProgrammaticLabeler.score(LabeledSampling.record(rollout.prompts().get(row)), sample);
    }
}
