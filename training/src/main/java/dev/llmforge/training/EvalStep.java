package dev.llmforge.training;

import dev.llmforge.capture.CompiledStep;
import dev.llmforge.capture.StepCompiler;
import dev.llmforge.distributed.DataParallel;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import dev.llmforge.training.data.BatchSource;
import dev.llmforge.training.metrics.MetricNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objective's loss and metrics on held-out batches, as a {@link CompiledStep} (the caller has
 * turned gradients off and the models to evaluation mode): summed on the device over the batches,
 * read once per source. Data-parallel, the sums are averaged over the replicas (each evaluates its
 * share of every batch), so every replica gets the global means.
 */
final class EvalStep implements AutoCloseable {
    private final Objective objective;
    private final CompiledStep compiled;
    private final DataParallel dataParallel;
    private StepInputs running;
    private List<String> names;

    /** {@code dataParallel}: null on one machine. */
    EvalStep(Backend backend, Objective objective, boolean compile, DataParallel dataParallel) {
        this.objective = objective;
        this.dataParallel = dataParallel;
        this.compiled = compile ? StepCompiler.compile(backend, this::apply) : StepCompiler.eager(backend, this::apply);
    }

    /** The mean of each value over {@code batches} batches of {@code source}. */
    @SuppressWarnings("try") // TensorScope guards do their work in close()
    Map<String, Double> mean(BatchSource source, int batches, TensorFactory tensors) {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor sum = null;
            List<String> first = null;
            for (int i = 0; i < batches; i++) {
                running = new StepInputs(List.of(source.next().upload(tensors)));
                Tensor values = compiled.run(running.flat()).get(0);
                if (first == null) {
                    first = names;
                } else if (!first.equals(names)) {
                    throw new IllegalStateException("the objective reported " + first + " for one batch and " + names + " for another");
                }
                sum = sum == null ? values : sum.add(values); // summed on the device: one host read per source
            }
            float[] totals = sum.toFloatArray();
            if (dataParallel != null) {
                dataParallel.mean(totals);
            }
            Map<String, Double> means = new LinkedHashMap<>();
            for (int i = 0; i < first.size(); i++) {
                means.put(first.get(i), (double) totals[i] / batches);
            }
            return means;
        } finally {
            running = null;
        }
    }

    private List<Tensor> apply(List<Tensor> inputs) {
        Loss out = objective.compute(running.regroup(inputs).get(0));
        MetricVector vector = new MetricVector();
        vector.add(MetricNames.LOSS, out.value());
        vector.addAll(out.metrics());
        names = vector.names();
        return List.of(vector.stack());
    }

    @Override
    public void close() {
        compiled.close();
    }
}
