package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch-specific corners of the primitives (the conformance kit covers the rest): the ops
 * PyTorch lacks or defines differently, compared with the reference backend.
 */
class DjlKernelsTest {
    private final Backend djl = Backends.get("djl");
    private final Backend ref = Backends.get("reference");
    private TensorScope scope;
    private long liveBefore;

    @BeforeEach
    void open() {
        liveBefore = djl.liveTensorCount();
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        assertEquals(liveBefore, djl.liveTensorCount(), "native arrays left open after the scope closed");
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    private Tensor on(Backend b, double[] values, Shape shape, DType dtype) {
        return Tensor.on(b).of(values, shape, dtype);
    }

    /** Runs {@code op} on both backends and compares the results. */
    private void same(String what, double tolerance, Function<Backend, Tensor> op) {
        Tensor expected = op.apply(ref);
        Tensor actual = op.apply(djl);
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double tol = tolerance * Math.max(1, Math.abs(e[i]));
            int at = i;
            assertTrue(Math.abs(e[i] - a[i]) <= tol || (Double.isNaN(e[i]) && Double.isNaN(a[i])),
                    () -> what + ": element " + at + " expected " + e[at] + " got " + a[at]);
        }
    }

    @Test
    void integerDivisionTruncatesTowardZeroAndRejectsZero() {
        double[] a = {7, -7, 7, -7, 0, 100};
        double[] b = {2, 2, -2, -2, 3, 7};
        for (DType t : new DType[] {DType.I32, DType.I64}) {
            same("div " + t, 0, be -> on(be, a, Shape.of(6), t).div(on(be, b, Shape.of(6), t)));
        }
        Tensor x = on(djl, a, Shape.of(6), DType.I32);
        Tensor zero = on(djl, new double[] {1, 0, 1, 1, 1, 1}, Shape.of(6), DType.I32);
        assertThrows(ArithmeticException.class, () -> x.div(zero));
    }

    @Test
    void integerAndBooleanSumsKeepTheirType() {
        double[] v = {1, 0, 3, -2, 5, 0};
        for (DType t : new DType[] {DType.I32, DType.I64, DType.BOOL, DType.F64}) {
            double[] data = t == DType.BOOL ? new double[] {1, 0, 1, 0, 0, 0} : v;
            same("sum " + t, 1e-12, be -> on(be, data, Shape.of(2, 3), t).sum(new int[] {1}, true));
            same("sum all " + t, 1e-12, be -> on(be, data, Shape.of(2, 3), t).sum(new int[] {0, 1}, false));
            same("sum none " + t, 0, be -> on(be, data, Shape.of(2, 3), t).sum(new int[0], false));
        }
    }

    @Test
    void maxOverSeveralAxesAndArgmaxTies() {
        double[] v = random(2 * 3 * 4 * 5, 1);
        Shape s = Shape.of(2, 3, 4, 5);
        same("max 1,3", 0, be -> on(be, v, s, DType.F32).max(new int[] {1, 3}, false));
        same("max 0,2 keep", 0, be -> on(be, v, s, DType.F32).max(new int[] {0, 2}, true));
        same("max all keep", 0, be -> on(be, v, s, DType.F32).max(new int[] {0, 1, 2, 3}, true));
        same("max all", 0, be -> on(be, v, s, DType.F32).max());
        double[] ties = {1, 3, 3, 0, 2, 2, 2, 1};
        same("argmax ties", 0, be -> on(be, ties, Shape.of(2, 4), DType.F32).argmax(1, false));
    }

    @Test
    void castsTruncateAndTestNonZero() {
        double[] v = {-2.7, -0.5, 0, 0.5, 2.7, 1e3};
        for (DType t : new DType[] {DType.I32, DType.I64, DType.BOOL, DType.F64}) {
            same("cast F32->" + t, 0, be -> on(be, v, Shape.of(6), DType.F32).cast(t));
        }
        same("cast BOOL->F32", 0, be -> on(be, new double[] {1, 0, 1}, Shape.of(3), DType.BOOL).cast(DType.F32));
        same("full I32 2.7", 0, be -> Tensor.on(be).full(Shape.of(2), 2.7, DType.I32));
        same("full I64 -2.7", 0, be -> Tensor.on(be).full(Shape.of(2), -2.7, DType.I64));
    }

    @Test
    void gatherAlongEveryAxisWithAnyIndexShape() {
        double[] v = random(4 * 5 * 6, 2);
        Shape s = Shape.of(4, 5, 6);
        double[] idx = {3, 0, 3, 1, 4, 2};
        for (DType it : new DType[] {DType.I32, DType.I64}) {
            same("gather rows " + it, 0, be -> on(be, v, Shape.of(20, 6), DType.F32).gather(0, on(be, idx, Shape.of(2, 3), it)));
            same("gather axis1 " + it, 0, be -> on(be, v, s, DType.F32).gather(1, on(be, idx, Shape.of(3, 2), it)));
            same("gather axis2 " + it, 0, be -> on(be, v, s, DType.F32).gather(2, on(be, idx, Shape.of(6), it)));
            same("gather scalar index " + it, 0, be -> on(be, v, s, DType.F32).gather(1, on(be, new double[] {2}, Shape.scalar(), it)));
        }
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        double[] idx = {3, 0, 3, 3, 1, 0};
        Shape target = Shape.of(5, 4);
        double[] up = random(2 * 3 * 4, 3);
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            same("scatterAdd rows " + t, 1e-6, be -> scatterAdd(be, target, 0, on(be, idx, Shape.of(2, 3), DType.I64),
                    on(be, up, Shape.of(2, 3, 4), t)));
        }
        double[] ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        same("scatterAdd I32 axis1", 0, be -> scatterAdd(be, Shape.of(2, 4), 1, on(be, new double[] {1, 1, 3, 1, 0, 1}, Shape.of(6), DType.I32),
                on(be, ints, Shape.of(2, 6), DType.I32)));
        same("scatterAdd empty", 0, be -> scatterAdd(be, Shape.of(3, 2), 0, on(be, new double[0], Shape.of(0), DType.I64),
                on(be, new double[0], Shape.of(0, 2), DType.F32)));
    }

    private static Tensor scatterAdd(Backend be, Shape shape, int axis, Tensor indices, Tensor updates) {
        NativeTensor r = be.kernels().scatterAdd(shape, axis, indices.nativeTensor(), updates.nativeTensor());
        return Tensor.fromNative(be, r);
    }

    @Test
    void matmulWithTransposesAndBroadcastBatches() {
        double[] a = random(2 * 3 * 4, 4);
        double[] b = random(4 * 5, 5);
        same("matmul", 1e-5, be -> on(be, a, Shape.of(2, 3, 4), DType.F32).matmul(on(be, b, Shape.of(4, 5), DType.F32)));
        same("matmul tA", 1e-5, be -> on(be, a, Shape.of(2, 4, 3), DType.F32).matmul(on(be, b, Shape.of(4, 5), DType.F32), true, false));
        same("matmul tB", 1e-5, be -> on(be, a, Shape.of(2, 3, 4), DType.F32).matmul(on(be, b, Shape.of(5, 4), DType.F32), false, true));
        same("matmul tA tB F64", 1e-12, be -> on(be, a, Shape.of(1, 2, 4, 3), DType.F64)
                .matmul(on(be, random(3 * 4 * 5, 6), Shape.of(3, 1, 5, 4), DType.F64), true, true));
    }

    @Test
    void viewsReadCorrectlyAndLeaveTheirSourceAlone() {
        double[] v = random(2 * 3 * 4, 7);
        same("permute then add", 1e-6, be -> {
            Tensor x = on(be, v, Shape.of(2, 3, 4), DType.F32);
            return x.permute(2, 0, 1).add(on(be, new double[] {1}, Shape.of(1), DType.F32));
        });
        same("slice of permute", 0, be -> on(be, v, Shape.of(2, 3, 4), DType.F32).permute(1, 2, 0).slice(1, 1, 3));
        same("expand", 0, be -> on(be, new double[] {1, 2, 3}, Shape.of(3, 1), DType.F32).expand(Shape.of(2, 3, 4)));
        same("concat views", 0, be -> {
            Tensor x = on(be, v, Shape.of(2, 3, 4), DType.F32);
            return x.slice(2, 0, 1).reshape(2, 3).transpose(0, 1).gather(0, on(be, new double[] {2, 0}, Shape.of(2), DType.I64));
        });
    }

    @Test
    void buffersOfEveryKindRoundTrip() {
        int n = (HostTransfer.STAGING_BYTES / 4) * 2 + 123; // forces the chunked copy
        float[] big = new float[n];
        for (int i = 0; i < n; i++) {
            big[i] = i * 0.5f - 7;
        }
        assertArrayEquals(big, Tensor.on(djl).of(big, n).toFloatArray());

        ByteBuffer direct = ByteBuffer.allocateDirect(4 * 5 + 8).order(ByteOrder.LITTLE_ENDIAN);
        direct.putLong(-1); // skipped: the kernel reads from position to limit
        for (int i = 0; i < 5; i++) {
            direct.putFloat(i + 0.25f);
        }
        direct.flip().position(8);
        assertArrayEquals(new float[] {0.25f, 1.25f, 2.25f, 3.25f, 4.25f}, Tensor.on(djl).fromBuffer(direct, Shape.of(5), DType.F32).toFloatArray());

        boolean[] flags = {true, false, true};
        assertArrayEquals(flags, Tensor.on(djl).of(flags, 3).toBooleanArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE, -3}, Tensor.on(djl).of(new long[] {Long.MAX_VALUE, -3}, 2).toLongArray());
        assertEquals(0, Tensor.on(djl).of(new float[0], 0, 3).toFloatArray().length);
    }

    @Test
    void randomValuesRepeatWithTheSeed() {
        Tensor u1 = Tensor.on(djl).rand(Shape.of(1000), DType.F32, 42);
        Tensor u2 = Tensor.on(djl).rand(Shape.of(1000), DType.F32, 42);
        Tensor u3 = Tensor.on(djl).rand(Shape.of(1000), DType.F32, 43);
        assertArrayEquals(u1.toFloatArray(), u2.toFloatArray());
        assertTrue(!java.util.Arrays.equals(u1.toFloatArray(), u3.toFloatArray()));
        for (float f : u1.toFloatArray()) {
            assertTrue(f >= 0 && f < 1, "uniform value out of [0, 1): " + f);
        }
        double[] n = Tensor.on(djl).randn(Shape.of(20000), DType.F64, 7).toDoubleArray();
        double mean = 0;
        double sq = 0;
        for (double x : n) {
            mean += x / n.length;
            sq += x * x / n.length;
        }
        assertEquals(0, mean, 0.05);
        assertEquals(1, sq, 0.05);
    }

    @Test
    void zeroSizeTensorsFlowThroughOps() {
        same("zero-size add", 0, be -> on(be, new double[0], Shape.of(0, 3), DType.F32).add(on(be, new double[] {1, 2, 3}, Shape.of(3), DType.F32)));
        same("zero-size sum", 0, be -> on(be, new double[0], Shape.of(0, 3), DType.F32).sum(new int[] {0}, false));
        same("zero-size matmul", 0, be -> on(be, new double[0], Shape.of(2, 0), DType.F32).matmul(on(be, new double[0], Shape.of(0, 3), DType.F32)));
        same("zero-size max keeps other dims", 0, be -> on(be, new double[0], Shape.of(0, 3), DType.F32).max(new int[] {1}, false));
    }

    @Test
    void viewsTrackSharedStorage() {
        DjlKernels k = (DjlKernels) djl.kernels();
        DjlTensor x = (DjlTensor) k.full(Shape.of(2, 3), 1, DType.F32, dev.llmforge.tensor.Device.cpu());
        assertTrue(x.writableInPlace());
        DjlTensor v = (DjlTensor) k.reshape(x, Shape.of(3, 2));
        assertTrue(!x.writableInPlace() && !v.writableInPlace());
        v.close();
        assertTrue(x.writableInPlace());
        DjlTensor same = (DjlTensor) k.cast(x, DType.F32);
        assertTrue(!x.writableInPlace());
        same.close();
        x.close();
    }

    @Test
    void handlesAreCountedUntilClosed() {
        long before = djl.liveTensorCount();
        NativeTensor x = djl.kernels().full(Shape.of(4), 1, DType.F32, dev.llmforge.tensor.Device.cpu());
        NativeTensor y = djl.kernels().permute(x, new int[] {0});
        assertEquals(before + 2, djl.liveTensorCount());
        y.close();
        x.close();
        assertEquals(before, djl.liveTensorCount());
        assertEquals(List.of(dev.llmforge.tensor.Device.cpu()), djl.devices());
    }
}
