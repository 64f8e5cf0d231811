package dev.llmforge.training;

import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.BatchSource;
import dev.llmforge.training.data.TensorBatch;
import dev.llmforge.training.metrics.MetricNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Objective#step} works with during one step of the loop: batches of the training
 * source, optimiser updates, and metrics of its own. Every tensor made during the step is freed
 * when it ends. A step's series are the means of each update's (and of each recorded value).
 *
 * <p>PPO, for instance:
 * <pre>{@code
 * public void step(StepContext step) {
 *     Rollout r = sampleAndScore(step.upload(step.nextBatches()));   // no gradients
 *     step.record("score", r.meanScore());
 *     for (int epoch = 0; epoch < 4; epoch++) {
 *         for (List<TensorBatch> minibatch : r.shuffledMinibatches(epoch)) {
 *             step.update(minibatch);                                  // compute() on each micro-batch, clip, AdamW
 *         }
 *     }
 * }
 * }</pre>
 */
public final class StepContext {
    private final BatchSource source;
    private final int microBatches;
    private final UpdateStep update;
    private final TensorFactory tensors;
    private final long completedSteps;
    private final Map<String, double[]> sums = new LinkedHashMap<>(); // name -> {sum, count}
    private final Map<String, double[]> normSums = new LinkedHashMap<>();
    private long tokens;
    private int updates;
    private int skipped;
    private boolean nonFinite;
    private double firstNonFiniteLoss = Double.NaN;
    private double firstNonFiniteNorm = Double.NaN;

    StepContext(BatchSource source, int microBatches, UpdateStep update, TensorFactory tensors, long completedSteps) {
        this.source = source;
        this.microBatches = microBatches;
        this.update = update;
        this.tensors = tensors;
        this.completedSteps = completedSteps;
    }

    /** The next {@code gradAccumSteps} micro-batches of the training source; their tokens count as trained on. */
    public List<Batch> nextBatches() {
        if (source == null) {
            throw new IllegalStateException("this run has no training source (Trainer.Builder.trainSource)");
        }
        List<Batch> batches = new ArrayList<>(microBatches);
        for (int i = 0; i < microBatches; i++) {
            Batch b = source.next();
            tokens += b.tokens();
            batches.add(b);
        }
        return batches;
    }

    /** The batches as tensors on the run's backend, in this step's scope. */
    public List<TensorBatch> upload(List<Batch> batches) {
        List<TensorBatch> out = new ArrayList<>(batches.size());
        for (Batch b : batches) {
            out.add(b.upload(tensors));
        }
        return out;
    }

    /**
     * One optimiser update: the objective's loss on each micro-batch (gradients summed, each loss
     * scaled by 1/n), clipping, the non-finite policy and every optimiser's step. Returns the loss
     * and metrics of this update (means over the micro-batches).
     */
    public Map<String, Double> update(List<TensorBatch> microBatchTensors) {
        UpdateStep.Result r = update.run(microBatchTensors);
        updates++;
        r.metrics().forEach((k, v) -> add(sums, k, v));
        r.gradNorms().forEach((k, v) -> add(normSums, k, v));
        if (!r.finite() && !nonFinite) {
            nonFinite = true;
            firstNonFiniteLoss = r.metrics().get(MetricNames.LOSS);
            firstNonFiniteNorm = r.gradNorms().isEmpty() ? Double.NaN : r.gradNorms().values().iterator().next();
        }
        if (r.skipped()) {
            skipped++;
        }
        return r.metrics();
    }

    /** Adds a value computed on the host (a rollout's mean score, a KL estimate) to this step's series. */
    public void record(String name, double value) {
        add(sums, MetricNames.checkObjectiveMetric(name), value);
    }

    /** Counts tokens trained on that did not come from {@link #nextBatches()} (e.g. sampled ones). */
    public void countTokens(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("token count must be >= 0, got " + n);
        }
        tokens += n;
    }

    /** Optimiser steps completed before this one. */
    public long completedSteps() {
        return completedSteps;
    }

    /** Makes tensors on the run's backend. */
    public TensorFactory tensors() {
        return tensors;
    }

    /** True once an update of this step had a non-finite loss or gradient norm. */
    public boolean sawNonFinite() {
        return nonFinite;
    }

    private static void add(Map<String, double[]> into, String name, double v) {
        double[] s = into.computeIfAbsent(name, k -> new double[2]);
        s[0] += v;
        s[1]++;
    }

    private static Map<String, Double> means(Map<String, double[]> sums) {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] / s[1]));
        return out;
    }

    Map<String, Double> metrics() {
        return means(sums);
    }

    Map<String, Double> gradNorms() {
        return means(normSums);
    }

    long tokens() {
        return tokens;
    }

    int updates() {
        return updates;
    }

    int skippedUpdates() {
        return skipped;
    }

    double firstNonFiniteLoss() {
        return firstNonFiniteLoss;
    }

    double firstNonFiniteNorm() {
        return firstNonFiniteNorm;
    }
}
