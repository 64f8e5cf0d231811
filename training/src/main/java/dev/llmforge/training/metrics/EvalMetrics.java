package dev.llmforge.training.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An evaluation at a step: named means ({@code train_loss}, {@code val_loss}, {@code val_accuracy}, ...).
 *
 * @param step   steps completed when it ran
 * @param values the metrics, in the order the objective reported them
 */
public record EvalMetrics(long step, Map<String, Double> values) implements Serializable {
    public EvalMetrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** One metric, or an error naming the metrics there are. */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the evaluation at step " + step + " has no metric '" + name + "'; it has " + values.keySet());
        }
        return v;
    }
}
