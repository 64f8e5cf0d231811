package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmforge.capture.StepFunction;
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
        return of(what, backend, inputs, differentiable, f, seedLabel, false);
    }

    /** As {@link #of(String, Backend, List, boolean[], TensorOp, String)}; with {@code captured}, forward and backward run as one captured step. */
    static Result of(String what, Backend backend, List<HostTensor> inputs, boolean[] differentiable, TensorOp f, String seedLabel,
                     boolean captured) {
        long before = backend.liveTensorCount();
        Result result = once(what, backend, inputs, differentiable, f, seedLabel, captured);
        long after = backend.liveTensorCount();
        if (after > before) {
            // One-time growth may be a cache filled on first use; growth on a repeat is a leak.
            once(what, backend, inputs, differentiable, f, seedLabel, captured);
            long again = backend.liveTensorCount();
            if (again > after) {
                fail(what + ": forward and backward leave " + (again - after) + " native tensor(s) alive per call on "
                        + backend.name() + " after their scope closed");
            }
        }
        return result;
    }

    private static Result once(String what, Backend backend, List<HostTensor> inputs, boolean[] differentiable, TensorOp f,
                               String seedLabel, boolean captured) {
        try (TensorScope ignored = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (HostTensor h : inputs) {
                xs.add(h.on(backend));
            }
            // the output, then the gradient of each differentiable input
            StepFunction forwardAndBackward = in -> {
                List<Tensor> leaves = new ArrayList<>();
                for (int i = 0; i < in.size(); i++) {
                    leaves.add(differentiable[i] ? in.get(i).requiresGrad(true) : in.get(i));
                }
                Tensor out = f.apply(leaves);
                HostTensor seed = new Rng(seedLabel).uniform(out.dtype(), out.shape(), -1, 1);
                out.backward(seed.on(backend));
                List<Tensor> results = new ArrayList<>();
                results.add(out);
                for (int i = 0; i < leaves.size(); i++) {
                    if (differentiable[i]) {
                        Tensor g = leaves.get(i).grad();
                        int input = i;
                        assertNotNull(g, () -> what + ": no gradient reached input " + input + " " + inputs.get(input).describe());
                        results.add(g);
                    }
                }
                return results;
            };
            List<Tensor> results = captured ? Captured.apply(backend, forwardAndBackward, xs) : forwardAndBackward.apply(xs);
            List<Values> grads = new ArrayList<>();
            int next = 1;
            for (boolean d : differentiable) {
                grads.add(d ? Values.of(results.get(next++)) : null);
            }
            return new Result(Values.of(results.get(0)), grads);
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
