package dev.llmforge.training;

import dev.llmforge.training.metrics.EvalMetrics;

/**
 * What a call to {@link Trainer#run()} did.
 *
 * @param firstStep        the step the run started after (0 for a fresh run, k when resumed at k)
 * @param lastStep         steps completed when it returned
 * @param lastTrainLoss    loss of the last step
 * @param lastEval         the last evaluation (null if none ran)
 * @param bestValLoss      lowest validation loss seen over the whole training (NaN if none)
 * @param skippedSteps     steps left out because their loss was not finite ({@link TrainingConfig.NonFinitePolicy#SKIP})
 * @param millisPerStep    mean wall time of a training step in this call (evaluation and checkpoints excluded)
 * @param tokensPerSecond  training tokens per second of step time in this call
 * @param wallSeconds      wall time of this call, everything included
 * @param stoppedEarly     true if {@link Trainer#requestStop()} ended the run before maxIters
 * @param compiled         true if the steps ran as compiled graphs
 */
public record TrainingResult(long firstStep, long lastStep, double lastTrainLoss, EvalMetrics lastEval,
                             double bestValLoss, long skippedSteps, double millisPerStep, double tokensPerSecond, double wallSeconds,
                             boolean stoppedEarly, boolean compiled) {
}
