package dev.llmforge.training;

import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named models of a run: checks that a frozen model shares no tensor with a trainable one,
 * switches training and evaluation modes, and keeps frozen parameters out of autograd
 * ({@code requiresGrad(false)} while the run is open, restored by {@link #release()}).
 */
final class ModelSet {
    private final List<NamedModel> models;
    private final Set<Tensor> frozenByUs = Collections.newSetFromMap(new IdentityHashMap<>());

    ModelSet(List<NamedModel> models) {
        if (models.isEmpty()) {
            throw new IllegalStateException("a Trainer needs at least one model (Builder.model)");
        }
        Set<String> names = new HashSet<>();
        for (NamedModel m : models) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("two models are named '" + m.name() + "'");
            }
        }
        if (models.stream().allMatch(NamedModel::frozen)) {
            throw new IllegalArgumentException("every model is frozen (" + names + "): a run needs one it trains");
        }
        this.models = List.copyOf(models);
        checkSharing();
    }

    /** A frozen model may share weights with other frozen models (a reference and a reward body), never with a trained one. */
    private void checkSharing() {
        Map<Tensor, String> trained = new IdentityHashMap<>();
        for (NamedModel m : models) {
            if (!m.frozen()) {
                m.module().namedParameters().forEach((name, t) -> trained.putIfAbsent(t, m.name() + "'s " + name));
            }
        }
        for (NamedModel m : models) {
            if (m.frozen()) {
                m.module().namedParameters().forEach((name, t) -> {
                    if (trained.containsKey(t)) {
                        throw new IllegalArgumentException("frozen model '" + m.name() + "' shares its parameter " + name + " with the trained "
                                + "parameter " + trained.get(t) + ": training would change the frozen model; give it its own copy");
                    }
                });
            }
        }
    }

    List<NamedModel> list() {
        return models;
    }

    /** The first model: saved as the checkpoint's model. */
    NamedModel primary() {
        return models.get(0);
    }

    /** Trained models in training mode; frozen ones in evaluation mode, out of autograd. */
    void prepareForTraining() {
        for (NamedModel m : models) {
            if (m.frozen()) {
                m.module().eval();
                for (Tensor t : m.module().parameters()) {
                    if (t.requiresGrad()) {
                        t.requiresGrad(false);
                        frozenByUs.add(t);
                    }
                }
            } else {
                m.module().train();
            }
        }
    }

    /** Every model in evaluation mode (dropout off). */
    void evaluationMode() {
        models.forEach(m -> m.module().eval());
    }

    /** Back from {@link #evaluationMode()}: trained models in training mode again. */
    void trainingMode() {
        models.stream().filter(m -> !m.frozen()).forEach(m -> m.module().train());
    }

    /**
     * The parameters of the trained models that require gradients, by name: the primary model's
     * names as they are, another model's prefixed with its name ({@code value.head.weight}); a
     * tensor shared by two trained models appears once.
     */
    Map<String, Tensor> trainedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NamedModel m : models) {
            if (m.frozen()) {
                continue;
            }
            String prefix = m == primary() ? "" : m.name() + ".";
            m.module().namedParameters().forEach((name, t) -> {
                if (t.requiresGrad() && seen.add(t)) {
                    out.put(prefix + name, t);
                }
            });
        }
        return out;
    }

    /** Every model's dropout stream positions, by model name. */
    Map<String, long[]> randomStates() {
        Map<String, long[]> out = new LinkedHashMap<>();
        models.forEach(m -> out.put(m.name(), m.module().randomState()));
        return out;
    }

    /** Gives frozen parameters their gradients back (the run is over). */
    void release() {
        frozenByUs.forEach(t -> t.requiresGrad(true));
        frozenByUs.clear();
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        models.forEach(m -> out.add(m.name()));
        return out;
    }
}
