package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.Expect.Values;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an operation on one backend and checks the kernel rules that hold for every result: it
 * lives on that backend, it is a new handle (not one of the inputs), the inputs are unchanged,
 * and once the scope closes no native tensor is left behind.
 */
final class Execution {
    private Execution() {
    }

    static Values run(String what, Backend backend, TensorOp op, List<HostTensor> inputs) {
        return run(what, backend, op, inputs, false);
    }

    /** As {@link #run(String, Backend, TensorOp, List)}; with {@code captured}, the op runs as a captured step. */
    static Values run(String what, Backend backend, TensorOp op, List<HostTensor> inputs, boolean captured) {
        long before = backend.liveTensorCount();
        Values result = runOnce(what, backend, op, inputs, captured);
        long after = backend.liveTensorCount();
        if (after > before) {
            // One-time growth may be a cache the backend fills on first use; growth on a repeat is a leak.
            runOnce(what, backend, op, inputs, captured);
            long again = backend.liveTensorCount();
            if (again > after) {
                fail(what + ": leaves " + (again - after) + " native tensor(s) alive per call on backend " + backend.name()
                        + " (liveTensorCount " + after + " -> " + again + " after its scope closed)");
            }
        }
        return result;
    }

    private static Values runOnce(String what, Backend backend, TensorOp op, List<HostTensor> inputs, boolean captured) {
        try (TensorScope ignored = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>(inputs.size());
            for (HostTensor h : inputs) {
                xs.add(h.on(backend));
            }
            Tensor r = captured ? Captured.apply(backend, in -> List.of(op.apply(in)), xs).get(0) : op.apply(xs);
            assertSame(backend, r.backend(), () -> what + ": result lives on backend " + r.backend().name());
            for (Tensor x : xs) {
                if (r != x) {
                    assertNotSame(x.nativeTensor(), r.nativeTensor(),
                            () -> what + ": the kernel returned its input handle; kernels must return new handles");
                }
            }
            Values values = Values.of(r);
            for (int i = 0; i < xs.size(); i++) {
                Expect.exact(what + ": input " + i + " " + inputs.get(i).describe() + " was modified by the kernel",
                        inputs.get(i).shape(), inputs.get(i).values(), xs.get(i).toDoubleArray());
            }
            return values;
        }
    }
}
