package dev.llmforge.training;

import dev.llmforge.training.metrics.EvalMetrics;
import java.io.Serializable;

/**
 * What a call to {@link Trainer#run()} did.
 *
 * @param firstStep        the step the run started after (0 for a fresh run, k when resumed at k)
 * @param lastStep         steps completed when it returned
 * @param lastTrainLoss    loss of the last step
 * @param lastEval         the last evaluation (null if none ran)
 * @param bestMetric       the evaluation metric that chooses the best checkpoint
 * @param bestValue        its best value over the whole training (NaN if none)
 * @param skippedSteps     optimiser updates left out because their loss or gradient norm was not finite
 *                         ({@link TrainingConfig.NonFinitePolicy#SKIP}; one update per step unless the objective runs several)
 * @param millisPerStep    mean wall time of a training step in this call (evaluation and checkpoints excluded)
 * @param tokensPerSecond  training tokens per second of step time in this call
 * @param wallSeconds      wall time of this call, everything included
 * @param stoppedEarly     true if {@link Trainer#requestStop()} ended the run before maxIters
 * @param compiled         true if the updates ran as compiled graphs
 */
public record TrainingResult(long firstStep, long lastStep, double lastTrainLoss, EvalMetrics lastEval, String bestMetric,
                             double bestValue, long skippedSteps, double millisPerStep, double tokensPerSecond, double wallSeconds,
                             boolean stoppedEarly, boolean compiled) implements Serializable {
}
