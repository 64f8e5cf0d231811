package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class RandomTest {
    private final Backend backend = Backends.get(Nd4jBackend.NAME);

    /** libnd4j seeds its generator from the clock when given 0; the backend must not. */
    @Test
    void seedZeroAndNegativeSeedsAreDeterministic() {
        try (TensorScope ignored = TensorScope.open()) {
            for (long seed : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    assertArrayEquals(Tensor.on(backend).rand(Shape.of(50), t, seed).toDoubleArray(),
                            Tensor.on(backend).rand(Shape.of(50), t, seed).toDoubleArray(), "rand " + t + " seed " + seed);
                    assertArrayEquals(Tensor.on(backend).randn(Shape.of(50), t, seed).toDoubleArray(),
                            Tensor.on(backend).randn(Shape.of(50), t, seed).toDoubleArray(), "randn " + t + " seed " + seed);
                }
            }
        }
    }

    @Test
    void theSeedScramblerNeverGivesZeroAndKeepsSeedsApart() {
        for (long seed = -1000; seed <= 1000; seed++) {
            assertNotEquals(0, Nd4jKernels.generatorSeed(seed));
            assertNotEquals(Nd4jKernels.generatorSeed(seed), Nd4jKernels.generatorSeed(seed + 1));
        }
    }
}
