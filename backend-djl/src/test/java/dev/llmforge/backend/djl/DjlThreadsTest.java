package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Several threads training on distinct tensors get the results one thread gets: seeded random
 * draws, PyTorch's thread-local grad mode (used inside the layer-norm and scatter-add kernels) and
 * the per-thread staging buffer do not interfere.
 */
class DjlThreadsTest {
    private final Backend djl = Backends.get("djl");

    /** A small forward and backward from a seed; returns the input's gradient and the loss. */
    private float[] work(int seed) {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = Tensor.on(djl).randn(Shape.of(16, 32), DType.F32, seed).requiresGrad(true);
            Tensor w = Tensor.on(djl).rand(Shape.of(32), DType.F32, seed + 1).requiresGrad(true);
            Tensor ids = Tensor.on(djl).of(new long[] {seed % 16, 3, 3, 0}, 4);
            Tensor rows = FusedOps.layerNorm(x, w, null, 1e-5).gather(0, ids); // (4, 32): scatter-add in backward
            Tensor loss = FusedOps.gelu(rows, true).square().sum();
            loss.backward();
            float[] g = x.grad().toFloatArray();
            float[] out = new float[g.length + 1];
            System.arraycopy(g, 0, out, 0, g.length);
            out[g.length] = (float) loss.item();
            return out;
        }
    }

    @Test
    void concurrentStepsMatchSequentialOnes() throws Exception {
        long live = djl.liveTensorCount();
        List<float[]> expected = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            expected.add(work(s));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int s = 0; s < 8; s++) {
                    int seed = s;
                    futures.add(pool.submit(() -> work(seed)));
                }
                for (int s = 0; s < 8; s++) {
                    assertArrayEquals(expected.get(s), futures.get(s).get(), "seed " + s + " differs when run concurrently");
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(live, djl.liveTensorCount());
    }
}
