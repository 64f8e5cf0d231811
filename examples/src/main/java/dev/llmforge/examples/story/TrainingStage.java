package dev.llmforge.examples.story;

import dev.llmforge.training.TrainingConfig;

/** A stage that trains a model into its directory: done when its latest checkpoint reached the planned steps. */
abstract class TrainingStage implements Stage {
    /** This stage's training settings in {@code plan}. */
    abstract TrainingConfig config(StoryPlan plan);

    @Override
    public boolean done(StoryRun run) {
        return TrainingProgress.of(run.layout().stage(name()), config(run.plan()).maxIters()).finished();
    }
}
