package dev.llmforge.training.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one step of the loop did.
 *
 * @param step            steps completed, this one included
 * @param totalSteps      steps of the whole run
 * @param metrics         the objective's series: {@code loss} and its own metrics (means over the step's updates)
 * @param learningRates   each optimiser's learning rate ({@code lr}, {@code lr_NAME})
 * @param gradNorms       each optimiser's global gradient norm before clipping ({@code grad_norm}, {@code grad_norm_NAME})
 * @param tokensPerSecond training tokens of this step per second of its wall time
 * @param millisPerStep   wall time of this step
 * @param elapsedSeconds  wall time of the whole training so far (earlier runs included)
 */
public record StepMetrics(long step, long totalSteps, Map<String, Double> metrics, Map<String, Double> learningRates,
                          Map<String, Double> gradNorms, double tokensPerSecond, double millisPerStep, double elapsedSeconds) {
    public StepMetrics {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        learningRates = Collections.unmodifiableMap(new LinkedHashMap<>(learningRates));
        gradNorms = Collections.unmodifiableMap(new LinkedHashMap<>(gradNorms));
    }

    /** The loss (NaN if the step made no update). */
    public double loss() {
        return metrics.getOrDefault(MetricNames.LOSS, Double.NaN);
    }

    /** The first optimiser's learning rate. */
    public double learningRate() {
        return learningRates.getOrDefault(MetricNames.LEARNING_RATE, Double.NaN);
    }

    /** The first optimiser's gradient norm before clipping (NaN if it had no gradients). */
    public double gradNorm() {
        return gradNorms.getOrDefault(MetricNames.GRAD_NORM, Double.NaN);
    }

    /** Every series by name: metrics, learning rates, gradient norms. */
    public Map<String, Double> series() {
        Map<String, Double> all = new LinkedHashMap<>(metrics);
        all.putAll(learningRates);
        all.putAll(gradNorms);
        return all;
    }
}
