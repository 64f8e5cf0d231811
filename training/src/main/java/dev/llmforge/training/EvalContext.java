package dev.llmforge.training;

import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.training.data.BatchSource;
import dev.llmforge.training.metrics.MetricNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Objective#evaluate} works with: the run's evaluation sources and the objective's
 * compiled evaluation step. Models are in evaluation mode and gradients are off while it is used.
 */
public final class EvalContext {
    private final Map<String, BatchSource> sources;
    private final int batches;
    private final EvalStep step;
    private final TensorFactory tensors;
    private final long completedSteps;

    EvalContext(Map<String, BatchSource> sources, int batches, EvalStep step, TensorFactory tensors, long completedSteps) {
        this.sources = sources;
        this.batches = batches;
        this.step = step;
        this.tensors = tensors;
        this.completedSteps = completedSteps;
    }

    /** The evaluation sources' names, in the order they were added. */
    public List<String> sources() {
        return new ArrayList<>(sources.keySet());
    }

    /** The mean loss and metrics of {@link Objective#compute} over {@code evalIters} batches of one source (names unprefixed). */
    public Map<String, Double> mean(String source) {
        BatchSource s = sources.get(source);
        if (s == null) {
            throw new IllegalArgumentException("no evaluation source '" + source + "'; the run has " + sources.keySet());
        }
        return step.mean(s, batches, tensors);
    }

    /** {@link #mean} of every source, in order, named {@code SOURCE_METRIC} ({@code train_loss}, {@code val_loss}). */
    public Map<String, Double> meanOverSources() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String source : sources.keySet()) {
            mean(source).forEach((metric, v) -> out.put(MetricNames.evaluation(source, metric), v));
        }
        return out;
    }

    /** Batches per source ({@link TrainingConfig#evalIters()}). */
    public int batchesPerSource() {
        return batches;
    }

    /** Optimiser steps completed. */
    public long step() {
        return completedSteps;
    }

    /** Makes tensors on the run's backend. */
    public TensorFactory tensors() {
        return tensors;
    }
}
