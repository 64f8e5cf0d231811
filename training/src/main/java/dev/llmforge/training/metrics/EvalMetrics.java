package dev.llmforge.training.metrics;

/** Mean losses over a number of batches of each split, at a step. */
public record EvalMetrics(long step, double trainLoss, double valLoss) {
}
