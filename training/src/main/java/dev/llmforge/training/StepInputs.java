package dev.llmforge.training;

import dev.llmforge.tensor.Tensor;
import dev.llmforge.training.data.TensorBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Micro-batches passed through a compiled step's flat input list: flattened before the run, regrouped inside it. */
final class StepInputs {
    private final List<List<String>> layout = new ArrayList<>();
    private final List<Tensor> flat = new ArrayList<>();

    StepInputs(List<TensorBatch> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("an update needs at least one micro-batch");
        }
        for (TensorBatch b : batches) {
            layout.add(List.copyOf(b.tensors().keySet()));
            flat.addAll(b.tensors().values());
        }
    }

    /** The tensors of every micro-batch, in order: the compiled step's inputs. */
    List<Tensor> flat() {
        return flat;
    }

    /** The micro-batches again, from the inputs a compiled step received. */
    List<TensorBatch> regroup(List<Tensor> inputs) {
        List<TensorBatch> batches = new ArrayList<>(layout.size());
        int i = 0;
        for (List<String> names : layout) {
            Map<String, Tensor> fields = new LinkedHashMap<>();
            for (String name : names) {
                fields.put(name, inputs.get(i++));
            }
            batches.add(new TensorBatch(fields));
        }
        return batches;
    }
}
