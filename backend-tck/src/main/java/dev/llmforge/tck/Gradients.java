package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmforge.spi.Backend;
import dev.llmforge.tck.Expect.Values;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/** Forward value and input gradients of a function, computed by core's autograd on one backend. */
final class Gradients {
    private Gradients() {
    }

    /** The output and, aligned with the inputs, each differentiated input's gradient (null for the others). */
    record Result(Values output, List<Values> grads) {
    }

    /**
     * Evaluates {@code f} on fresh tensors made from {@code inputs}, backpropagates a seeded random
     * output gradient (the same for every backend: it depends only on {@code seedLabel}), and reads the
     * gradients. Checks that nothing is left alive afterwards.
     */
    static Result of(String what, Backend backend, List<HostTensor> inputs, boolean[] differentiable, TensorOp f, String seedLabel) {
        long before = backend.liveTensorCount();
        Result result = once(what, backend, inputs, differentiable, f, seedLabel);
        long after = backend.liveTensorCount();
        if (after > before) {
            // One-time growth may be a cache filled on first use; growth on a repeat is a leak.
            once(what, backend, inputs, differentiable, f, seedLabel);
            long again = backend.liveTensorCount();
            if (again > after) {
                fail(what + ": forward and backward leave " + (again - after) + " native tensor(s) alive per call on "
                        + backend.name() + " after their scope closed");
            }
        }
        return result;
    }

    private static Result once(String what, Backend backend, List<HostTensor> inputs, boolean[] differentiable, TensorOp f,
                               String seedLabel) {
        try (TensorScope ignored = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                Tensor x = inputs.get(i).on(backend);
                xs.add(differentiable[i] ? x.requiresGrad(true) : x);
            }
            Tensor out = f.apply(xs);
            HostTensor seed = new Rng(seedLabel).uniform(out.dtype(), out.shape(), -1, 1);
            out.backward(seed.on(backend));
            List<Values> grads = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                if (!differentiable[i]) {
                    grads.add(null);
                    continue;
                }
                Tensor g = xs.get(i).grad();
                int input = i;
                assertNotNull(g, () -> what + ": no gradient reached input " + input + " " + inputs.get(input).describe());
                grads.add(Values.of(g));
            }
            return new Result(Values.of(out), grads);
        }
    }

    /** Output and every gradient of {@code actual} within the accumulated-rounding tolerance of {@code expected}. */
    static void assertClose(String what, List<HostTensor> inputs, Result expected, Result actual) {
        Expect.close(what + ": forward", Tolerance.Kind.ACCUMULATED, expected.output(), actual.output());
        assertEquals(expected.grads().size(), actual.grads().size());
        for (int i = 0; i < expected.grads().size(); i++) {
            if (expected.grads().get(i) != null) {
                Expect.close(what + ": gradient of input " + i + " " + inputs.get(i).describe(), Tolerance.Kind.ACCUMULATED,
                        expected.grads().get(i), actual.grads().get(i));
            }
        }
    }
}
