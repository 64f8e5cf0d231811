package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ArrayPoolTest {
    private static final Shape SMALL = Shape.of(4, 8); // 128 bytes as F32

    @BeforeAll
    static void loadNd4j() {
        Backends.get(Nd4jBackend.NAME); // loads and configures ND4J
    }

    @Test
    void aReturnedArrayServesTheNextRequestOfTheSameDtypeAndShape() {
        ArrayPool pool = new ArrayPool(1 << 20);
        INDArray a = pool.take(DType.F32, SMALL);
        pool.give(DType.F32, SMALL, a);
        assertSame(a, pool.take(DType.F32, SMALL));
        assertEquals(1, pool.allocations());
        INDArray other = pool.take(DType.F64, SMALL); // other dtype: a new array
        assertNotSame(a, other);
        assertEquals(2, pool.allocations());
        pool.clear();
    }

    @Test
    void theCapacityBoundsPooledBytesAndTheLeastRecentlyUsedShapesAreFreed() {
        ArrayPool pool = new ArrayPool(300); // two 128-byte arrays fit, three do not
        INDArray first = pool.take(DType.F32, SMALL);
        INDArray second = pool.take(DType.F32, Shape.of(32));
        INDArray third = pool.take(DType.F32, Shape.of(2, 16));
        pool.give(DType.F32, SMALL, first);
        pool.give(DType.F32, Shape.of(32), second);
        assertEquals(256, pool.pooledBytes());
        pool.give(DType.F32, Shape.of(2, 16), third);
        assertEquals(256, pool.pooledBytes());
        assertTrue(first.wasClosed(), "the least recently used shape is freed at once");
        assertFalse(second.wasClosed());
        assertFalse(third.wasClosed());
        pool.clear();
        assertEquals(0, pool.pooledBytes());
        assertTrue(second.wasClosed() && third.wasClosed(), "clear frees every pooled array");
    }

    @Test
    void anArrayLargerThanTheCapacityIsFreedInsteadOfPooled() {
        ArrayPool pool = new ArrayPool(64);
        INDArray big = pool.take(DType.F32, SMALL);
        pool.give(DType.F32, SMALL, big);
        assertTrue(big.wasClosed());
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void zeroSizeArraysHaveTheirShapeAndAreNeverPooled() {
        ArrayPool pool = new ArrayPool(1 << 20);
        INDArray empty = pool.take(DType.F32, Shape.of(0, 3));
        assertTrue(empty.isEmpty());
        assertEquals(2, empty.rank());
        pool.give(DType.F32, Shape.of(0, 3), empty);
        assertEquals(0, pool.pooledBytes());
    }
}
