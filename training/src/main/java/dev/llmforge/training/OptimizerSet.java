package dev.llmforge.training;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.optim.GradClip;
import dev.llmforge.optim.Optimizer;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.metrics.MetricNames;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named optimisers of a run, each over its own parameters: schedules, clipping (the global
 * gradient norm of each optimiser's parameters) and updates. Checks that every trained parameter
 * has exactly one optimiser and that no optimiser updates a frozen or foreign tensor.
 */
final class OptimizerSet implements AutoCloseable {
    private final List<NamedOptimizer> optimizers;

    OptimizerSet(List<NamedOptimizer> optimizers, ModelSet models) {
        this.optimizers = List.copyOf(optimizers);
        checkCoverage(models);
    }

    private void checkCoverage(ModelSet models) {
        Set<String> names = new HashSet<>();
        Map<String, Tensor> trainedByName = models.trainedParameters();
        Map<Tensor, String> trained = new IdentityHashMap<>();
        trainedByName.forEach((name, t) -> trained.put(t, name));
        Map<Tensor, String> updatedBy = new IdentityHashMap<>();
        for (NamedOptimizer o : optimizers) {
            if (!names.add(o.name())) {
                throw new IllegalArgumentException("two optimizers are named '" + o.name() + "'");
            }
            o.optimizer().parameters().forEach((name, t) -> {
                if (!trained.containsKey(t)) {
                    throw new IllegalArgumentException("optimizer '" + o.name() + "' updates " + name + ", which is no trained parameter of the "
                            + "run's models " + models.names() + " (a frozen model's, or another model's)");
                }
                String other = updatedBy.put(t, o.name());
                if (other != null) {
                    throw new IllegalArgumentException(trained.get(t) + " is updated by two optimizers, '" + other + "' and '" + o.name() + "'");
                }
            });
        }
        trainedByName.forEach((name, t) -> {
            if (!updatedBy.containsKey(t)) {
                throw new IllegalArgumentException("the trained parameter " + name + " has no optimizer: give it to one, freeze its model, or "
                        + "turn its requiresGrad off");
            }
        });
    }

    List<NamedOptimizer> list() {
        return optimizers;
    }

    /** Sets each optimiser's learning rate for the step after {@code step} completed ones; returns them as series ({@code lr}, ...). */
    Map<String, Double> setLearningRates(long step) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (int i = 0; i < optimizers.size(); i++) {
            NamedOptimizer o = optimizers.get(i);
            double lr = o.schedule().at(step);
            o.optimizer().setLearningRate(lr);
            rates.put(MetricNames.perOptimizer(MetricNames.LEARNING_RATE, i, o.name()), lr);
        }
        return rates;
    }

    void zeroGrad() {
        optimizers.forEach(o -> o.optimizer().zeroGrad());
    }

    /**
     * The global gradient norm of each optimiser's parameters before clipping (rank-0 tensors, as
     * series {@code grad_norm}, ...), clipping them to {@code maxNorm} unless it is 0. An optimiser
     * none of whose parameters has a gradient is left out.
     */
    @SuppressWarnings("try") // GradMode guards do their work in close()
    Map<String, Tensor> clipGradients(double maxNorm) {
        Map<String, Tensor> norms = new LinkedHashMap<>();
        for (int i = 0; i < optimizers.size(); i++) {
            NamedOptimizer o = optimizers.get(i);
            Collection<Tensor> params = o.optimizer().parameters().values();
            if (!hasGradient(params)) {
                continue;
            }
            Tensor norm;
            if (maxNorm > 0) {
                norm = GradClip.clipGlobalNorm(params, maxNorm);
            } else {
                try (GradMode.Restore ignored = GradMode.noGrad()) {
                    norm = GradClip.globalNorm(params);
                }
            }
            norms.put(MetricNames.perOptimizer(MetricNames.GRAD_NORM, i, o.name()), norm);
        }
        return norms;
    }

    /** Applies the update of every optimiser whose parameters received gradients. */
    void step() {
        for (NamedOptimizer o : optimizers) {
            if (hasGradient(o.optimizer().parameters().values())) {
                o.optimizer().step();
            }
        }
    }

    private static boolean hasGradient(Collection<Tensor> params) {
        for (Tensor p : params) {
            if (p.grad() != null) {
                return true;
            }
        }
        return false;
    }

    /** Frees every optimiser's state. */
    @Override
    public void close() {
        optimizers.forEach(o -> o.optimizer().close());
    }
}
