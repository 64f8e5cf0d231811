package dev.llmforge.training;

import dev.llmforge.training.data.TensorBatch;
import java.util.Map;

/**
 * What a {@link Trainer} optimises: the loss of a micro-batch, and (optionally) what one step of
 * the loop does with it and how the run is evaluated. Pretraining, SFT, the reward model and DPO
 * implement {@link #compute} only; the loop does the rest (accumulation, clipping, schedules,
 * non-finite policy, evaluation, checkpoints, metrics).
 *
 * <p>{@link #step} is the hook for objectives that do more per step: PPO and GRPO sample rollouts
 * without gradients, then run several epochs of minibatch updates, each one
 * {@link StepContext#update} (an optimiser update with the loop's accumulation, clipping and
 * non-finite policy). A checkpoint is written between steps, never inside one, so rollout buffers
 * never need saving; an objective's own random state goes through {@link #state()}.
 *
 * <p>Methods run on the training thread. {@link #compute} runs inside a compiled step (captured as
 * a graph where the backend can): write it as ordinary tensor code that returns a {@link Loss} and
 * reads nothing to the host.
 */
public interface Objective {
    /** The loss (and metrics) of one micro-batch, with gradients recorded for training, without for evaluation. */
    Loss compute(TensorBatch batch);

    /**
     * One step of the loop. The default: one update over the next {@code gradAccumSteps}
     * micro-batches of the training source.
     */
    default void step(StepContext step) {
        step.update(step.upload(step.nextBatches()));
    }

    /**
     * Evaluation, with every model in evaluation mode and gradients off; returns the named metrics
     * (one of them the run's best-checkpoint metric). The default: the mean of {@link #compute}'s
     * loss and metrics over {@code evalIters} batches of each evaluation source, named
     * {@code SOURCE_METRIC} ({@code train_loss}, {@code val_loss}, {@code val_accuracy}).
     */
    default Map<String, Double> evaluate(EvalContext eval) {
        return eval.meanOverSources();
    }

    /** The objective's own resumable state (e.g. a sampling generator's position); default none. */
    default Map<String, Long> state() {
        return Map.of();
    }

    /** Restores {@link #state()} saved in a checkpoint. */
    default void restore(Map<String, Long> state) {
    }
}
