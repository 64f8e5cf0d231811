package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Layer norm, exact GELU and causal attention record their forward under PyTorch's autograd when core
 * says a backward follows, so the backward runs without recomputing it. That recorded graph serves one
 * backward: a second backward through the same forward must give the same gradients and leave the
 * first ones intact (PyTorch would otherwise accumulate into them); without a backward nothing is recorded.
 */
class DjlRecordedBackwardTest {
    private final Backend djl = Backends.get("djl");

    /** The F32 elements of a handle. */
    private double[] read(NativeTensor h) {
        java.nio.FloatBuffer f = djl.kernels().toBuffer(h).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        double[] out = new double[f.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.get(i);
        }
        return out;
    }

    private NativeTensor upload(double[] values, int... dims) {
        try (TensorScope scope = TensorScope.open()) {
            return scope.keep(Tensor.on(djl).of(values, Shape.of(dims), DType.F32)).detachFromScope().nativeTensor();
        }
    }

    private static double[] ramp(int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sin(scale * (i + 1));
        }
        return v;
    }

    /** Forward once, backward twice: equal gradients, the first ones unchanged by the second backward. */
    private void backwardTwice(String what, FusedKernels.Result forward, Function<FusedKernels.Result, NativeTensor[]> backward) {
        List<NativeTensor> owned = new ArrayList<>(forward.saved());
        owned.add(forward.output());
        try {
            NativeTensor[] first = backward.apply(forward);
            List<double[]> firstValues = new ArrayList<>();
            for (NativeTensor g : first) {
                firstValues.add(g == null ? null : read(g));
            }
            NativeTensor[] second = backward.apply(forward);
            for (int i = 0; i < first.length; i++) {
                if (first[i] == null) {
                    continue;
                }
                assertArrayEquals(firstValues.get(i), read(second[i]), 1e-6, what + ": gradient " + i + " of the second backward");
                assertArrayEquals(firstValues.get(i), read(first[i]), 0, what + ": gradient " + i + " of the first backward after the second");
                first[i].close();
                second[i].close();
            }
        } finally {
            owned.forEach(NativeTensor::close);
        }
    }

    @Test
    void layerNormBackwardTwiceThroughOneRecordedForward() {
        long before = djl.liveTensorCount();
        NativeTensor x = upload(ramp(12, 0.7), 3, 4);
        NativeTensor w = upload(ramp(4, 1.3), 4);
        NativeTensor g = upload(ramp(12, 0.4), 3, 4);
        FusedKernels.Result forward = djl.fused().layerNorm(x, w, null, 1e-5, true);
        assertEquals(2, forward.saved().size(), "with a backward to follow, the forward saves the leaves of x and the weight");
        backwardTwice("layer norm", forward, f -> djl.fused().layerNormBackward(x, w, null, 1e-5, f, g));
        for (NativeTensor h : List.of(x, w, g)) {
            h.close();
        }
        assertEquals(before, djl.liveTensorCount());
    }

    @Test
    void exactGeluBackwardTwiceThroughOneRecordedForward() {
        NativeTensor x = upload(ramp(10, 0.9), 2, 5);
        NativeTensor g = upload(ramp(10, 0.5), 2, 5);
        FusedKernels.Result forward = djl.fused().gelu(x, false, true);
        assertEquals(1, forward.saved().size(), "with a backward to follow, the forward saves the leaf of x");
        backwardTwice("gelu", forward, f -> new NativeTensor[] {djl.fused().geluBackward(x, false, f, g)});
        x.close();
        g.close();
    }

    @Test
    void causalAttentionBackwardTwiceThroughOneRecordedForward() {
        NativeTensor q = upload(ramp(24, 0.3), 1, 2, 3, 4);
        NativeTensor k = upload(ramp(24, 0.8), 1, 2, 3, 4);
        NativeTensor v = upload(ramp(24, 1.1), 1, 2, 3, 4);
        NativeTensor g = upload(ramp(24, 0.6), 1, 2, 3, 4);
        FusedKernels.Result forward = djl.fused().causalAttention(q, k, v, 0.5, true);
        assertEquals(3, forward.saved().size(), "with a backward to follow, the forward saves the leaves of q, k and v");
        backwardTwice("attention", forward, f -> djl.fused().causalAttentionBackward(q, k, v, 0.5, f, g));
        for (NativeTensor h : List.of(q, k, v, g)) {
            h.close();
        }
    }

    @Test
    void withoutABackwardNothingIsRecorded() {
        NativeTensor x = upload(ramp(10, 0.9), 2, 5);
        FusedKernels.Result gelu = djl.fused().gelu(x, false, false);
        FusedKernels.Result norm = djl.fused().layerNorm(x, null, null, 1e-5, false);
        NativeTensor heads = djl.kernels().reshape(x, Shape.of(1, 2, 1, 5));
        FusedKernels.Result attention = djl.fused().causalAttention(heads, heads, heads, 0.5, false);
        assertEquals(0, gelu.saved().size() + norm.saved().size() + attention.saved().size());
        gelu.output().close();
        norm.output().close();
        attention.output().close();
        heads.close();
        x.close();
    }
}
