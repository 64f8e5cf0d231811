package dev.llmforge.training;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.distributed.DataParallel;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.data.TensorBatch;
import dev.llmforge.training.metrics.MetricNames;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimiser update, run as a {@link CompiledStep} (captured as a graph where the backend can):
 * the objective's loss on each micro-batch scaled by 1/n and differentiated (gradients add up), the
 * loss and metrics averaged over the micro-batches, each optimiser's gradients clipped by their
 * global norm, the non-finite policy, the updates. The loss, the metrics and the gradient norms
 * come back as one vector: one host read per update.
 *
 * <p>Data-parallel, the gradients are averaged over the replicas after the last backward and before
 * clipping, and the loss and metrics are averaged too (before the non-finite policy, so every replica
 * decides the same); such a step runs eagerly, as the averaging reads the gradients on the host.
 */
final class UpdateStep implements AutoCloseable {
    /**
     * What an update did.
     *
     * @param metrics   the loss and the objective's metrics, means over the micro-batches
     * @param gradNorms each optimiser's gradient norm before clipping ({@code grad_norm}, ...)
     * @param finite    false if the loss or a gradient norm is NaN or infinite
     * @param skipped   true if the update was left out for that reason (policy SKIP)
     */
    record Result(Map<String, Double> metrics, Map<String, Double> gradNorms, boolean finite, boolean skipped) {
    }

    private final Objective objective;
    private final OptimizerSet optimizers;
    private final double gradClip;
    private final boolean skipNonFinite;
    private final CompiledStep compiled;
    private final DataParallel dataParallel;
    private StepInputs running;
    private List<String> names;
    private int metricCount;
    private boolean skipped;

    /** {@code dataParallel}: null on one machine. */
    UpdateStep(Backend backend, Objective objective, OptimizerSet optimizers, TrainingConfig config, DataParallel dataParallel) {
        this.objective = objective;
        this.optimizers = optimizers;
        this.gradClip = config.gradClip();
        this.skipNonFinite = config.onNonFinite() == TrainingConfig.NonFinitePolicy.SKIP;
        this.dataParallel = dataParallel;
        this.compiled = config.compile() && dataParallel == null ? StepCompiler.compile(backend, this::apply) : StepCompiler.eager(backend, this::apply);
    }

    @SuppressWarnings("try") // TensorScope guards do their work in close()
    Result run(List<TensorBatch> microBatches) {
        running = new StepInputs(microBatches);
        try (TensorScope ignored = TensorScope.open()) {
            float[] values = compiled.run(running.flat()).get(0).toFloatArray();
            Map<String, Double> all = MetricVector.read(values, names);
            Map<String, Double> metrics = new LinkedHashMap<>();
            Map<String, Double> norms = new LinkedHashMap<>();
            int i = 0;
            for (Map.Entry<String, Double> e : all.entrySet()) {
                (i++ < metricCount ? metrics : norms).put(e.getKey(), e.getValue());
            }
            return new Result(metrics, norms, finite(values), skipped);
        } finally {
            running = null;
        }
    }

    /** The loss (first value) and the gradient norms (after the metrics) are finite; metrics may be anything. */
    private boolean finite(float[] values) {
        if (!Float.isFinite(values[0])) {
            return false;
        }
        for (int i = metricCount; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return false;
            }
        }
        return true;
    }

    /** The step function: inputs are the micro-batches' tensors; returns the vector of loss, metrics and gradient norms. */
    @SuppressWarnings("try") // GradMode guards do their work in close()
    private List<Tensor> apply(List<Tensor> inputs) {
        optimizers.zeroGrad();
        List<TensorBatch> batches = running.regroup(inputs);
        int n = batches.size();
        Tensor loss = null;
        Map<String, Tensor> metrics = null;
        for (TensorBatch batch : batches) {
            Loss out = objective.compute(batch);
            Tensor l = out.value();
            if (n > 1) {
                l = l.mul(1.0 / n);
            }
            l.backward(); // gradients add up over micro-batches
            try (GradMode.Restore ignored = GradMode.noGrad()) {
                loss = loss == null ? l : loss.add(l);
                metrics = accumulate(metrics, out.metrics(), n);
            }
        }
        if (dataParallel != null) {
            dataParallel.averageGradients();
        }
        Map<String, Tensor> norms = optimizers.clipGradients(gradClip);
        MetricVector vector = new MetricVector();
        vector.add(MetricNames.LOSS, loss);
        vector.addAll(metrics);
        vector.addAll(norms);
        Tensor stacked = vector.stack();
        names = vector.names();
        metricCount = 1 + metrics.size();
        if (dataParallel != null) {
            stacked = averageMetrics(stacked);
        }
        // only SKIP reads the values before the update (a host read inside the step); STOP checks them afterwards
        skipped = skipNonFinite && !finite(stacked.toFloatArray());
        if (!skipped) {
            optimizers.step();
        }
        optimizers.zeroGrad();
        return List.of(stacked);
    }

    /** The loss and metrics as means over the replicas; the gradient norms (of the averaged gradients) are the same everywhere. */
    private Tensor averageMetrics(Tensor stacked) {
        float[] values = stacked.toFloatArray();
        float[] means = dataParallel.mean(Arrays.copyOf(values, metricCount));
        System.arraycopy(means, 0, values, 0, metricCount);
        return Tensor.on(stacked.backend(), stacked.device()).of(values, values.length);
    }

    /** Adds this micro-batch's metrics, each divided by n, to the sums so far (null before the first). */
    private static Map<String, Tensor> accumulate(Map<String, Tensor> sums, Map<String, Tensor> metrics, int n) {
        if (sums != null && !sums.keySet().equals(metrics.keySet())) {
            throw new IllegalStateException("the objective reported metrics " + metrics.keySet() + " for one micro-batch and "
                    + sums.keySet() + " for another: every micro-batch must report the same ones");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        metrics.forEach((name, m) -> {
            Tensor share = n > 1 ? m.mul(1.0 / n) : m;
            out.put(name, sums == null ? share : sums.get(name).add(share));
        });
        return out;
    }

    boolean isCaptured() {
        return compiled.isCaptured();
    }

    CompiledStep.Stats stats() {
        return compiled.stats();
    }

    @Override
    public void close() {
        compiled.close();
    }
}
