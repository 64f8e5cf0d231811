package dev.llmforge.training.metrics;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names of metric series: an objective's own (its loss is {@value #LOSS}) and those the loop
 * adds — the learning rate and gradient norm of each optimiser ({@code lr}, {@code grad_norm} for
 * the first, {@code lr_NAME}, {@code grad_norm_NAME} for the others) and the timings. Evaluation
 * metrics are named {@code SOURCE_METRIC} ({@code val_loss}).
 */
public final class MetricNames {
    /** The loss an objective differentiates. */
    public static final String LOSS = "loss";
    public static final String LEARNING_RATE = "lr";
    public static final String GRAD_NORM = "grad_norm";
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Set<String> LOOP_KEYS = Set.of("type", "step", "tokens_per_s", "ms_per_step", "elapsed_s");

    private MetricNames() {
    }

    /**
     * Checks a name that becomes part of series and file names (a metric, an evaluation source, an
     * optimiser, a model): letters, digits and '_', starting with a letter.
     *
     * @param what what is named, for the error message ("metric", "model", ...)
     */
    public static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " names are letters, digits and '_', starting with a letter; got '" + name + "'");
        }
        return name;
    }

    /** Checks the name of a metric an objective reports: {@link #checkName} and none of the names the loop writes itself. */
    public static String checkObjectiveMetric(String name) {
        checkName("metric", name);
        if (name.equals(LOSS) || LOOP_KEYS.contains(name) || isOptimizerKey(name, LEARNING_RATE) || isOptimizerKey(name, GRAD_NORM)) {
            throw new IllegalArgumentException("metric name '" + name + "' is one the training loop writes itself; choose another");
        }
        return name;
    }

    private static boolean isOptimizerKey(String name, String base) {
        return name.equals(base) || name.startsWith(base + "_");
    }

    /** The key of a per-optimiser series: {@code base} for the first optimiser, {@code base_NAME} for the others. */
    public static String perOptimizer(String base, int index, String optimizerName) {
        return index == 0 ? base : base + "_" + optimizerName;
    }

    /** {@code val_loss} for the metric {@code loss} of the evaluation source {@code val}. */
    public static String evaluation(String source, String metric) {
        return source + "_" + metric;
    }
}
