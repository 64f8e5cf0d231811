package dev.llmforge.training;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.metrics.MetricNames;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an {@link Objective} computes from one micro-batch: the loss to differentiate (one element)
 * and named one-element metrics (accuracy, margin, KL, ...), all on the device. The loop averages
 * each over the micro-batches of an update and reads them to the host together, once per update.
 *
 * <pre>{@code
 * return Loss.of(loss).metric("accuracy", correct.mean());
 * }</pre>
 */
public final class Loss {
    private final Tensor value;
    private final Map<String, Tensor> metrics = new LinkedHashMap<>();

    private Loss(Tensor value) {
        this.value = requireScalar(MetricNames.LOSS, value);
    }

    /** A loss without other metrics. */
    public static Loss of(Tensor loss) {
        return new Loss(loss);
    }

    /** Adds a metric (a one-element tensor; the loop reads it without gradients). Returns this. */
    public Loss metric(String name, Tensor value) {
        MetricNames.checkObjectiveMetric(name);
        if (metrics.putIfAbsent(name, requireScalar(name, value)) != null) {
            throw new IllegalArgumentException("metric '" + name + "' is already set");
        }
        return this;
    }

    /** The loss to differentiate. */
    public Tensor value() {
        return value;
    }

    /** The metrics in the order they were added. */
    public Map<String, Tensor> metrics() {
        return Collections.unmodifiableMap(metrics);
    }

    private static Tensor requireScalar(String name, Tensor t) {
        if (t.shape().numel() != 1) {
            throw new IllegalArgumentException("'" + name + "' must be a single number (one element), got shape " + t.shape());
        }
        return t;
    }
}
