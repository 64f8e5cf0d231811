package dev.llmforge.backend.nd4j;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The temporary arrays of one kernel, taken from the pool and given back when it closes. */
final class Scratch implements AutoCloseable {
    private record Loan(DType dtype, Shape shape, INDArray array) {
    }

    private final Nd4jBackend backend;
    private final List<Loan> loans = new ArrayList<>(8);

    Scratch(Nd4jBackend backend) {
        this.backend = backend;
    }

    /** A C-ordered array with undefined contents, valid until this scratch closes. */
    INDArray take(DType dtype, Shape shape) {
        INDArray a = backend.scratch(dtype, shape);
        loans.add(new Loan(dtype, shape, a));
        return a;
    }

    @Override
    public void close() {
        for (Loan l : loans) {
            backend.recycle(l.dtype(), l.shape(), l.array());
        }
        loans.clear();
    }
}
