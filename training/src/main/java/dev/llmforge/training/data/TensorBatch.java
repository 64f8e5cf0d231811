package dev.llmforge.training.data;

import dev.llmforge.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A micro-batch as named tensors, what an objective computes its loss from: an uploaded
 * {@link Batch}, or tensors an objective made itself (e.g. PPO's minibatches of a rollout).
 */
public final class TensorBatch {
    private final Map<String, Tensor> tensors;

    /** The tensors by field name, in this order. */
    public TensorBatch(Map<String, Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one tensor");
        }
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** The tensor of a field. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the batch has no field '" + name + "'; it has " + tensors.keySet());
        }
        return t;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** Every field, in order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The batch size: the first dimension of the first field. */
    public int rows() {
        return tensors.values().iterator().next().dim(0);
    }
}
