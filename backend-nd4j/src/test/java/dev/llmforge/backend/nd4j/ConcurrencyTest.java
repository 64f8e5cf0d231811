package dev.llmforge.backend.nd4j;

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

/** Several threads on distinct tensors: each gets its own op context, results match a single-threaded run. */
class ConcurrencyTest {
    private final Backend backend = Backends.get(Nd4jBackend.NAME);

    private float[] work(int seed) {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = Tensor.on(backend).randn(Shape.of(16, 32), DType.F32, seed);
            Tensor w = Tensor.on(backend).randn(Shape.of(24, 32), DType.F32, seed + 1);
            Tensor y = FusedOps.softmax(x.matmul(w, false, true).sum(new int[] {1}, true).add(x.slice(1, 0, 24)));
            return FusedOps.layerNorm(y.exp(), null, null, 1e-5).toFloatArray();
        }
    }

    @Test
    void oneThreadRepeatsItself() {
        float[] first = work(5);
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(first, work(5), "repeat " + i);
        }
    }

    @Test
    void threadsOnDistinctTensorsGetTheSingleThreadedResults() throws Exception {
        long liveBefore = backend.liveTensorCount();
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            expected.add(work(10 * t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 25; round++) {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int seed = 10 * t;
                    futures.add(pool.submit(() -> work(seed)));
                }
                for (int t = 0; t < 4; t++) {
                    assertArrayEquals(expected.get(t), futures.get(t).get(), "thread " + t + ", round " + round);
                }
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(liveBefore, backend.liveTensorCount());
    }
}
