package dev.llmforge.training.metrics;

/** What one optimiser step did. {@code gradNorm} is the global norm before clipping (NaN if not computed). */
public record StepMetrics(long step, long totalSteps, double loss, double learningRate, double gradNorm,
                          double tokensPerSecond, double millisPerStep, double elapsedSeconds) {
}
