package dev.llmforge.backend.djl;

import ai.djl.pytorch.engine.PtNDArray;
import java.util.ArrayList;
import java.util.List;

/** Closes the intermediate PyTorch arrays of one kernel, so none outlives the call. */
final class Temporaries implements AutoCloseable {
    private final List<PtNDArray> arrays = new ArrayList<>(8);

    /** Registers {@code array} for closing and returns it. */
    PtNDArray t(PtNDArray array) {
        if (array != null) {
            arrays.add(array);
        }
        return array;
    }

    @Override
    public void close() {
        for (PtNDArray a : arrays) {
            a.close();
        }
        arrays.clear();
    }
}
