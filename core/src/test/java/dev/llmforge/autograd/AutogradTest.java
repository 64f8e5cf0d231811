package dev.llmforge.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class AutogradTest {
    private final Backend backend = Backends.get("reference");
    private final TensorFactory t = Tensor.on(backend);

    @Test
    void productRuleAndBroadcastReduction() {
        Tensor x = t.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor w = t.of(new double[] {10, 20, 30}, 3).requiresGrad(true);
        try (TensorScope ignored = TensorScope.open()) {
            x.mul(w).add(x).sum().backward();
        }
        assertArrayEquals(new double[] {11, 21, 31, 11, 21, 31}, x.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {5, 7, 9}, w.grad().toDoubleArray(), 0);
        x.close();
        w.close();
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = t.of(new double[] {2}, 1).requiresGrad(true);
        for (int i = 0; i < 3; i++) {
            try (TensorScope ignored = TensorScope.open()) {
                x.square().sum().backward();
            }
        }
        assertArrayEquals(new double[] {12}, x.grad().toDoubleArray(), 0);
        x.zeroGrad();
        assertNull(x.grad());
        x.close();
    }

    @Test
    void leavesSharingOneGradientDoNotAlias() {
        Tensor a = t.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = t.of(new double[] {3, 4}, 2).requiresGrad(true);
        try (TensorScope ignored = TensorScope.open()) {
            a.add(b).sum().backward();
        }
        assertNotSame(a.grad(), b.grad());
        try (TensorScope ignored = TensorScope.open()) {
            a.add(b).sum().backward();
        }
        assertArrayEquals(new double[] {2, 2}, a.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {2, 2}, b.grad().toDoubleArray(), 0);
        a.close();
        b.close();
    }

    @Test
    void noGradRecordsNothingAndDetachCutsTheGraph() {
        Tensor x = t.of(new double[] {1, 2}, 2).requiresGrad(true);
        try (TensorScope ignored = TensorScope.open()) {
            try (var g = GradMode.noGrad()) {
                assertFalse(x.mul(x).requiresGrad());
            }
            Tensor y = x.mul(x.detach()).sum();
            y.backward();
            assertArrayEquals(new double[] {1, 2}, x.grad().toDoubleArray(), 0);
        }
        x.close();
    }

    @Test
    void intermediateGradientsAreFreedDuringBackward() {
        Tensor x = t.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        try (TensorScope scope = TensorScope.open()) {
            Tensor y = x.exp().tanh().mul(x).sum();
            long before = backend.liveTensorCount();
            y.backward();
            long grown = backend.liveTensorCount() - before;
            // only the leaf's gradient survives the pass; every other gradient was freed
            assertEquals(1, grown, "live tensors added by backward");
        }
        x.close();
    }

    @Test
    void backwardNeedsSomethingToDifferentiate() {
        Tensor x = t.of(new double[] {1}, 1);
        var e = assertThrows(IllegalStateException.class, () -> x.square().sum().backward());
        assertTrue(e.getMessage().contains("does not require a gradient"), e.getMessage());
        x.close();
    }

    @Test
    void backwardAfterItsScopeClosedFailsClearly() {
        Tensor x = t.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor loss;
        try (TensorScope scope = TensorScope.open()) {
            loss = scope.keep(x.exp().sum());
        }
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        loss.close();
        x.close();
    }
}
