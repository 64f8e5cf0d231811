package dev.llmforge.training.metrics;

import java.nio.file.Path;

/**
 * Hooks into a training run (metrics, progress, custom actions such as early stopping through
 * {@code Trainer.requestStop()}); every method has an empty default. Called on the training thread.
 */
public interface TrainingListener {
    /** A run starts after {@code step} completed steps and goes to {@code totalSteps}. */
    default void onStart(long step, long totalSteps) {
    }

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
