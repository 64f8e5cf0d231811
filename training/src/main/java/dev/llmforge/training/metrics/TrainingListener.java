package dev.llmforge.training.metrics;

import java.nio.file.Path;

/** Hooks into a training run; every method has an empty default. */
public interface TrainingListener {
    default void onStep(StepMetrics metrics) {
    }

    default void onEval(EvalMetrics metrics) {
    }

    /** A checkpoint was written (atomically) to {@code directory}. */
    default void onCheckpoint(long step, Path directory, boolean best) {
    }

    default void onFinish(long step) {
    }
}
