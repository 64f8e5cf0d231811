package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.spi.FusedKernels.AdamWStep;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Each handle owns its array alone: movement kernels copy instead of returning ND4J views, so
 * closing one handle never frees memory another uses, and the in-place AdamW step changes only
 * the tensors it was given.
 */
class OwnershipTest {
    private final Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
    private final Kernels k = backend.kernels();

    @Test
    void movementResultsOutliveTheirSource() {
        NativeTensor x = k.randomNormal(Shape.of(2, 3, 4), DType.F32, Device.cpu(), 1);
        float[] values = floats(k.reshape(x, Shape.of(24)));
        NativeTensor reshaped = k.reshape(x, Shape.of(6, 4));
        NativeTensor sliced = k.slice(x, 2, 0, 4);
        NativeTensor permuted = k.permute(x, new int[] {0, 1, 2});
        assertNotSame(((NdTensor) x).array().data(), ((NdTensor) reshaped).array().data());
        x.close();
        assertArrayEquals(values, floats(reshaped));
        assertArrayEquals(values, floats(sliced));
        assertArrayEquals(values, floats(permuted));
    }

    @Test
    void inPlaceAdamWChangesOnlyTheTensorsItWasGiven() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor param = Tensor.on(backend).randn(Shape.of(3, 4), DType.F32, 7);
            Tensor grad = Tensor.on(backend).randn(Shape.of(3, 4), DType.F32, 8);
            Tensor m = Tensor.on(backend).zeros(Shape.of(3, 4), DType.F32);
            Tensor v = Tensor.on(backend).zeros(Shape.of(3, 4), DType.F32);
            Tensor reshaped = param.reshape(12);
            float[] before = param.toFloatArray();
            float[] gradBefore = grad.toFloatArray();
            var handle = param.nativeTensor();

            FusedOps.adamWUpdate(param, grad, m, v, new AdamWStep(0.1, 0.9, 0.999, 1e-8, 0.01, 1));

            assertSame(handle, param.nativeTensor(), "the step runs in place on the parameter's own array");
            assertArrayEquals(before, reshaped.toFloatArray(), "a reshape made before the step keeps the old values");
            assertArrayEquals(gradBefore, grad.toFloatArray(), "the gradient is an input and stays unchanged");
            float[] after = param.toFloatArray();
            for (int i = 0; i < after.length; i++) {
                // first step: m/(1-b1) = g, v/(1-b2) = g^2, so the step is lr * g / (|g| + eps) = lr * sign(g)
                double expected = before[i] * (1 - 0.1 * 0.01) - 0.1 * Math.signum(gradBefore[i]);
                assertEquals(expected, after[i], 1e-5, "element " + i);
            }
        }
    }

    @Test
    void aClosedHandleCannotBeUsed() {
        NativeTensor x = k.full(Shape.of(2), 1, DType.F32, Device.cpu());
        x.close();
        x.close(); // closing twice is harmless
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.exp(x));
        assertEquals("nd4j tensor [2] F32 used after close", e.getMessage());
    }

    @Test
    void closedArraysAreReusedInsteadOfAllocatedAgain() {
        for (int i = 0; i < 3; i++) { // warm: this shape's arrays reach the pool
            try (NativeTensor a = k.full(Shape.of(5, 7), 1, DType.F32, Device.cpu()); NativeTensor e = k.exp(a)) {
                assertEquals(DType.F32, e.dtype());
            }
        }
        long allocations = backend.nativeAllocations();
        for (int i = 0; i < 1000; i++) {
            try (NativeTensor a = k.full(Shape.of(5, 7), 1, DType.F32, Device.cpu()); NativeTensor e = k.exp(a)) {
                assertEquals(Shape.of(5, 7), e.shape());
            }
        }
        assertEquals(allocations, backend.nativeAllocations(), "1000 iterations of the same shapes allocate nothing new");
    }

    private float[] floats(NativeTensor t) {
        var b = k.toBuffer(t).asFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        t.close();
        return out;
    }
}
