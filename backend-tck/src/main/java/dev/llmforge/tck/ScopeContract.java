package dev.llmforge.tck;

import static dev.llmforge.tensor.DType.F32;
import static dev.llmforge.tensor.DType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Memory discipline: {@link TensorScope} frees everything made inside it on the backend, so long
 * loops keep {@link Backend#liveTensorCount()} flat; kept tensors survive, are counted, and are
 * freed when closed. (Every kernel and fused op is also leak-checked one call at a time by
 * {@link KernelContract} and {@link FusedOpContract}.)
 */
public abstract class ScopeContract extends BackendContract {
    private static final int ITERATIONS = 10_000;
    private static final int WARM_UP = 100;

    /** A [4, 8] x [8, 8] linear layer + tanh + sum, forward and backward, once per scope. */
    @Test
    void tenThousandForwardBackwardStepsLeaveTheLiveCountUnchanged() {
        Backend b = backend();
        TensorFactory f = tensors();
        long initial = b.liveTensorCount();
        Rng rng = new Rng("scope loop");
        HostTensor input = rng.uniform(F32, new int[] {4, 8}, -1, 1);
        Tensor weight = rng.uniform(F32, new int[] {8, 8}, -0.5, 0.5).on(b).requiresGrad(true);
        Tensor bias = f.zeros(Shape.of(8), F32).requiresGrad(true);
        try {
            for (int i = 0; i < WARM_UP; i++) {
                step(b, input, weight, bias);
            }
            long before = b.liveTensorCount();
            for (int i = 0; i < ITERATIONS; i++) {
                step(b, input, weight, bias);
            }
            assertEquals(before, b.liveTensorCount(), "live native tensors after " + ITERATIONS + " scoped forward/backward steps");
            assertTrue(weight.grad() != null && bias.grad() != null, "the leaves' gradients survive their scopes");
        } finally {
            weight.close();
            bias.close();
        }
        assertEquals(initial, b.liveTensorCount(), "live native tensors after closing the parameters (and their gradients)");
    }

    private static void step(Backend b, HostTensor input, Tensor weight, Tensor bias) {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = input.on(b);
            x.matmul(weight).add(bias).tanh().sum().backward();
        }
    }

    @Test
    void keptTensorsSurviveAreCountedAndFreedOnClose() {
        Backend b = backend();
        Tensor[] warmUp = keepOneOfTwo();
        warmUp[0].close();
        long before = b.liveTensorCount();
        Tensor[] keptAndDropped = keepOneOfTwo();
        Tensor kept = keptAndDropped[0];
        assertTrue(keptAndDropped[1].isClosed(), "a tensor made in a scope is closed with it");
        assertFalse(kept.isClosed(), "a kept tensor survives its scope");
        assertEquals(before + 1, b.liveTensorCount(), "only the kept tensor is alive after the scope");
        assertArrayEquals(new double[] {2, 4, 6}, kept.toDoubleArray(), 1e-5, "the kept tensor still holds its values");
        kept.close();
        assertEquals(before, b.liveTensorCount(), "closing the kept tensor frees it");
    }

    /** {kept, dropped}: two results of a scope, the first kept. */
    private Tensor[] keepOneOfTwo() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = tensors().of(new float[] {1, 2, 3}, 3);
            Tensor dropped = x.mul(x);
            return new Tensor[] {scope.keep(x.add(x).exp().log()), dropped};
        }
    }

    @Test
    void keepMovesATensorToTheEnclosingScope() {
        assertLeavesNothingAlive("a tensor kept into an enclosing scope", () -> {
            Tensor inner;
            try (TensorScope outer = TensorScope.open()) {
                try (TensorScope scope = TensorScope.open()) {
                    inner = scope.keep(tensors().full(Shape.of(2, 2), 3, F32).mul(2));
                }
                assertFalse(inner.isClosed(), "kept into the outer scope");
                assertArrayEquals(new double[] {6, 6, 6, 6}, inner.toDoubleArray());
            }
            assertTrue(inner.isClosed(), "the outer scope closes what the inner one kept");
        });
    }

    @Test
    void tensorsMadeOutsideEveryScopeBelongToTheCaller() {
        Backend b = backend();
        long before = b.liveTensorCount();
        Tensor t = tensors().of(new float[] {1, 2}, 2);
        assertEquals(before + 1, b.liveTensorCount(), "a tensor made outside every scope is alive until closed");
        t.close();
        t.close(); // closing twice is harmless
        assertEquals(before, b.liveTensorCount());
    }

    @Test
    void fusedTrainingLoopInScopesLeavesTheLiveCountUnchanged() {
        Backend b = backend();
        long initial = b.liveTensorCount();
        Rng rng = new Rng("fused scope loop");
        HostTensor tokensHost = rng.ints(I64, new int[] {2, 4}, 0, 5);
        HostTensor targetsHost = rng.ints(I64, new int[] {8}, 0, 5).with(2, FusedCases.IGNORE);
        Tensor embedding = rng.uniform(F32, new int[] {6, 8}, -1, 1).on(b).requiresGrad(true);
        Tensor head = rng.uniform(F32, new int[] {8, 6}, -0.5, 0.5).on(b).requiresGrad(true);
        try {
            for (int i = 0; i < 5; i++) {
                fusedStep(b, tokensHost, targetsHost, embedding, head);
            }
            long before = b.liveTensorCount();
            for (int i = 0; i < 50; i++) {
                fusedStep(b, tokensHost, targetsHost, embedding, head);
            }
            assertEquals(before, b.liveTensorCount(), "live native tensors after 50 scoped steps through every fused op");
        } finally {
            embedding.close();
            head.close();
        }
        assertEquals(initial, b.liveTensorCount());
    }

    private static void fusedStep(Backend b, HostTensor tokensHost, HostTensor targetsHost, Tensor embedding, Tensor head) {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = embedding.gather(0, tokensHost.on(b));                                // (2, 4, 8)
            Tensor h = FusedOps.layerNorm(x, null, null, 1e-5);
            Tensor heads = h.reshape(2, 4, 2, 4).permute(0, 2, 1, 3);                       // (2, 2, 4, 4)
            Tensor att = FusedOps.causalAttention(heads, heads, heads, 0.5)
                    .permute(0, 2, 1, 3).reshape(8, 8);
            Tensor logits = FusedOps.gelu(att, false).matmul(head);    // (8, 6)
            Tensor loss = FusedOps.softmaxCrossEntropy(logits, targetsHost.on(b), FusedCases.IGNORE)
                    .add(FusedOps.softmax(logits).square().sum().mul(0.01));
            loss.backward();
        }
    }
}
