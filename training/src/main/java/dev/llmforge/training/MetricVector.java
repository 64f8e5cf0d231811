package dev.llmforge.training;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.autograd.Ops;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named one-element tensors (a loss, metrics, gradient norms) gathered into one F32 vector on the
 * device, so that the host reads them all with one transfer instead of one per value.
 */
final class MetricVector {
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> values = new ArrayList<>();

    void add(String name, Tensor value) {
        names.add(name);
        values.add(value);
    }

    void addAll(Map<String, Tensor> named) {
        named.forEach(this::add);
    }

    List<String> names() {
        return List.copyOf(names);
    }

    /** The values as one (N) F32 tensor, without gradients. */
    @SuppressWarnings("try") // GradMode guards do their work in close()
    Tensor stack() {
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            List<Tensor> parts = new ArrayList<>(values.size());
            for (Tensor v : values) {
                Tensor one = v.reshape(1);
                parts.add(one.dtype() == DType.F32 ? one : one.cast(DType.F32));
            }
            return parts.size() == 1 ? parts.get(0) : Ops.concat(parts, 0);
        }
    }

    /** The host values of a stacked vector by name. */
    static Map<String, Double> read(float[] stacked, List<String> names) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), (double) stacked[i]);
        }
        return out;
    }
}
