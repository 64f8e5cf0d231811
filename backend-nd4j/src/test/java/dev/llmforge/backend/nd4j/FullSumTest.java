package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An F32 sum over every axis runs in Java ({@link HostFloats#sumAll}): on an array far longer than
 * the kit's, with a large common offset, it must stay as close to the exact sum as a float result
 * can (its block sums are added in double), whether the result keeps its dims or not.
 */
class FullSumTest {
    private final Kernels k = ((Nd4jBackend) Backends.get(Nd4jBackend.NAME)).kernels();

    @Test
    void sumOverEveryAxisOfALongF32ArrayIsNearlyExact() {
        int rows = 317;
        int cols = 1001; // 317,317 elements: not a multiple of the 4,096-element blocks
        SplittableRandom rng = new SplittableRandom(3);
        ByteBuffer b = ByteBuffer.allocate(4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        double exact = 0;
        for (int i = 0; i < rows * cols; i++) {
            float v = (float) (1000 + rng.nextGaussian());
            exact += v;
            b.putFloat(v);
        }
        try (NativeTensor x = k.fromBuffer(b.flip(), Shape.of(rows, cols), DType.F32, Device.cpu());
             NativeTensor s = k.sum(x, new int[] {0, 1}, false);
             NativeTensor kept = k.sum(x, new int[] {0, 1}, true)) {
            assertEquals(Shape.scalar(), s.shape());
            assertEquals(Shape.of(1, 1), kept.shape());
            assertEquals(exact, k.toBuffer(s).getFloat(0), 1e-6 * exact, "sum");
            assertEquals(exact, k.toBuffer(kept).getFloat(0), 1e-6 * exact, "sum, dims kept");
        }
    }
}
