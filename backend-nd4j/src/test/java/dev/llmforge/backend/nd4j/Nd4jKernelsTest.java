package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmforge.autograd.Ops;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Regressions specific to how this backend drives libnd4j. */
class Nd4jKernelsTest {
    private final Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
    private final Kernels k = backend.kernels();

    /** libnd4j divides integers by zero in native code, which kills the JVM with SIGFPE. */
    @Test
    void integerDivisionByZeroThrowsInsteadOfCrashing() {
        try (TensorScope ignored = TensorScope.open()) {
            for (DType t : new DType[] {DType.I32, DType.I64}) {
                Tensor a = Tensor.on(backend).of(new double[] {7, 8}, Shape.of(2), t);
                Tensor b = Tensor.on(backend).of(new double[] {0, 2}, Shape.of(2), t);
                long live = backend.liveTensorCount();
                ArithmeticException e = assertThrows(ArithmeticException.class, () -> a.div(b));
                assertEquals("integer division by zero: the divisor [2] " + t + " contains 0", e.getMessage());
                assertEquals(live, backend.liveTensorCount(), "nothing left behind");
            }
        }
    }

    /**
     * The per-thread libnd4j context is reused from op to op; arguments of one op must not reach
     * the next (a stale boolean once made concat read its axis from its last input).
     */
    @Test
    void oneOpsArgumentsDoNotReachTheNext() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = Tensor.on(backend).of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            Tensor nine = Tensor.on(backend).full(Shape.of(2, 1), 9, DType.F32);
            assertArrayEquals(new float[] {5, 17}, x.max(new int[] {1}, true).add(x.sum(new int[] {1}, true)).toFloatArray());
            assertArrayEquals(new float[] {0, 1, 2, 9, 3, 4, 5, 9},
                    Ops.concat(List.of(x, nine), 1).toFloatArray());
        }
    }

    @Test
    void aBufferIsCopiedFromItsPositionAndLeftUnchanged() {
        ByteBuffer b = ByteBuffer.allocateDirect(2 + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.position(2);
        b.putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
        b.position(2);
        try (NativeTensor t = k.fromBuffer(b, Shape.of(3), DType.F32, Device.cpu())) {
            assertEquals(2, b.position());
            ByteBuffer back = k.toBuffer(t);
            assertEquals(ByteOrder.LITTLE_ENDIAN, back.order());
            assertEquals(1.5f, back.getFloat(0));
            assertEquals(-2f, back.getFloat(4));
            assertEquals(3.25f, back.getFloat(8));
        }
    }

    /** Slices with contiguous runs of 256 bytes or more are copied run by run (memcpy), in every dtype. */
    @Test
    void slicesOfLongRunsHoldTheRightElements() {
        try (TensorScope ignored = TensorScope.open()) {
            for (DType t : new DType[] {DType.F32, DType.I64}) {
                Tensor x = Tensor.on(backend).of(counting(3 * 4 * 70), Shape.of(3, 4, 70), t); // runs of 2 * 70 elements
                double[] want = new double[3 * 2 * 70];
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2 * 70; j++) {
                        want[i * 140 + j] = i * 280 + 70 + j;
                    }
                }
                assertArrayEquals(want, x.slice(1, 1, 3).toDoubleArray(), t + " along axis 1");
                assertArrayEquals(Arrays.copyOfRange(counting(840), 280, 560), x.slice(0, 1, 2).toDoubleArray(),
                        t + " along axis 0");
            }
        }
    }

    /** Gathers of rows of 256 bytes or more copy one row per index (memcpy) after checking the indices. */
    @Test
    void gathersOfLongRowsPickTheRowsAndRefuseBadIndices() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor table = Tensor.on(backend).of(counting(5 * 80), Shape.of(5, 80), DType.F32);
            Tensor ids = Tensor.on(backend).of(new double[] {4, 0, 4, 2}, Shape.of(2, 2), DType.I64);
            double[] got = table.gather(0, ids).toDoubleArray();
            int[] rows = {4, 0, 4, 2};
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < 80; j++) {
                    assertEquals(rows[i] * 80 + j, got[i * 80 + j], "row " + i + ", column " + j);
                }
            }
            Tensor bad = Tensor.on(backend).of(new double[] {1, 5}, Shape.of(2), DType.I32);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> k.gather(table.nativeTensor(), 0, bad.nativeTensor()));
            assertEquals("index 5 out of range [0, 5)", e.getMessage());
        }
    }

    /** F32 scatterAdd of rows runs in Java: repeated indices accumulate, untouched rows stay 0. */
    @Test
    void scatterAddOfFloatRowsAccumulatesRepeatedIndices() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor updates = Tensor.on(backend).of(counting(4 * 3), Shape.of(4, 3), DType.F32);
            Tensor ids = Tensor.on(backend).of(new double[] {1, 3, 1, 0}, Shape.of(4), DType.I32);
            assertArrayEquals(new float[] {9, 10, 11, 6, 8, 10, 0, 0, 0, 3, 4, 5, 0, 0, 0},
                    Ops.scatterAdd(Shape.of(5, 3), 0, ids, updates).toFloatArray());
        }
    }

    private static double[] counting(int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    @Test
    void theGpuIsRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.full(Shape.of(2), 1, DType.F32, Device.gpu(0)));
        assertEquals("the nd4j backend runs on the CPU only (nd4j-native), not on " + Device.gpu(0), e.getMessage());
    }
}
