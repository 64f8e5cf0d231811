package dev.llmforge.backend.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each fused pair on PyTorch against the reference backend's compositions: the forward value and
 * the gradient of every input, in F32 and F64, and that the fused kernels (not the defaults) ran.
 */
class DjlFusedKernelsTest {
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

    /** Inputs made from the same doubles on a backend. */
    private record Input(double[] values, Shape shape, DType dtype, boolean grad) {
        Tensor on(Backend b) {
            Tensor t = Tensor.on(b).of(values, shape, dtype);
            return grad ? t.requiresGrad(true) : t;
        }
    }

    private static Input randn(long seed, DType dtype, int... dims) {
        Shape s = Shape.of(dims);
        Random r = new Random(seed);
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return new Input(v, s, dtype, true);
    }

    /** Forward on both backends, backward with the same random seed gradient, compare output and input gradients. */
    private void compare(String what, FusedOp op, List<Input> inputs, Function<List<Tensor>, Tensor> f) {
        DType dtype = inputs.get(0).dtype();
        double tol = dtype == DType.F64 ? 1e-10 : 2e-4;
        List<String> fusedCalls = new ArrayList<>();
        Results expected = run(ref, inputs, f);
        Results actual;
        try (Dispatch.Restore ignored = Dispatch.observe((name, b, nanos) -> {
            if (b == djl) {
                fusedCalls.add(name);
            }
        })) {
            actual = run(djl, inputs, f);
        }
        String forwardName = "fused." + fusedName(op);
        assertTrue(fusedCalls.contains(forwardName) && fusedCalls.contains(forwardName + "Backward"),
                what + ": expected the fused kernels to run, saw " + fusedCalls);
        assertTrue(djl.nativeFusedOps().contains(op));
        assertTrue(djl.fused().getClass() != FusedKernels.class);
        assertClose(what + " output", expected.values.get(0), actual.values.get(0), tol);
        for (int i = 1; i < expected.values.size(); i++) {
            assertClose(what + " gradient of input " + (i - 1), expected.values.get(i), actual.values.get(i), tol);
        }
    }

    private static String fusedName(FusedOp op) {
        return switch (op) {
            case SOFTMAX -> "softmax";
            case SOFTMAX_CROSS_ENTROPY -> "softmaxCrossEntropy";
            case LAYER_NORM -> "layerNorm";
            case GELU -> "gelu";
            case CAUSAL_ATTENTION -> "causalAttention";
            case ADAMW_UPDATE -> "adamWUpdate";
        };
    }

    private record Results(List<double[]> values) {
    }

    private static Results run(Backend b, List<Input> inputs, Function<List<Tensor>, Tensor> f) {
        try (TensorScope s = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (Input in : inputs) {
                xs.add(in.on(b));
            }
            Tensor out = f.apply(xs);
            List<double[]> values = new ArrayList<>();
            values.add(out.toDoubleArray());
            Tensor seed = Tensor.on(b).of(randn(99, out.dtype(), out.shape().dims()).values(), out.shape(), out.dtype());
            out.backward(seed);
            for (int i = 0; i < xs.size(); i++) {
                if (inputs.get(i).grad()) {
                    values.add(xs.get(i).grad().toDoubleArray());
                }
            }
            return new Results(values);
        }
    }

    private static void assertClose(String what, double[] e, double[] a, double tol) {
        assertEquals(e.length, a.length, what + ": length");
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            int at = i;
            double bound = tol * Math.max(1, scale);
            assertTrue(Math.abs(e[i] - a[i]) <= bound, () -> what + ": element " + at + " expected " + e[at] + " got " + a[at]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softmax(DType dtype) {
        compare("softmax", FusedOp.SOFTMAX, List.of(randn(1, dtype, 3, 4, 7)), xs -> FusedOps.softmax(xs.get(0)));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyWithIgnoredTargets(DType dtype) {
        Input targets = new Input(new double[] {3, -100, 0, 4, 4, -100}, Shape.of(6), DType.I64, false);
        compare("cross-entropy", FusedOp.SOFTMAX_CROSS_ENTROPY, List.of(randn(2, dtype, 6, 5), targets),
                xs -> FusedOps.softmaxCrossEntropy(xs.get(0), xs.get(1), -100));
        Input allIgnored = new Input(new double[] {-1, -1}, Shape.of(2), DType.I32, false);
        compare("cross-entropy, all ignored", FusedOp.SOFTMAX_CROSS_ENTROPY, List.of(randn(3, dtype, 2, 5), allIgnored),
                xs -> FusedOps.softmaxCrossEntropy(xs.get(0), xs.get(1), -1));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void layerNorm(DType dtype) {
        compare("layerNorm", FusedOp.LAYER_NORM, List.of(randn(4, dtype, 2, 3, 8), randn(5, dtype, 8), randn(6, dtype, 8)),
                xs -> FusedOps.layerNorm(xs.get(0), xs.get(1), xs.get(2), 1e-5));
        compare("layerNorm without affine", FusedOp.LAYER_NORM, List.of(randn(7, dtype, 5, 8)),
                xs -> FusedOps.layerNorm(xs.get(0), null, null, 1e-5));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gelu(boolean tanh) {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            compare("gelu tanh=" + tanh + " " + dtype, FusedOp.GELU, List.of(randn(8, dtype, 4, 9)),
                    xs -> FusedOps.gelu(xs.get(0).mul(3.0), tanh));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void causalAttention(DType dtype) {
        compare("attention", FusedOp.CAUSAL_ATTENTION, List.of(randn(9, dtype, 2, 3, 5, 4), randn(10, dtype, 2, 3, 5, 4),
                randn(11, dtype, 2, 3, 5, 4)), xs -> FusedOps.causalAttention(xs.get(0), xs.get(1), xs.get(2), 0.5));
        compare("attention, queries after a cache", FusedOp.CAUSAL_ATTENTION, List.of(randn(12, dtype, 1, 2, 3, 4),
                randn(13, dtype, 1, 2, 7, 4), randn(14, dtype, 1, 2, 7, 4)),
                xs -> FusedOps.causalAttention(xs.get(0), xs.get(1), xs.get(2), 0.5));
        compare("attention, one query", FusedOp.CAUSAL_ATTENTION, List.of(randn(15, dtype, 1, 2, 1, 4),
                randn(16, dtype, 1, 2, 6, 4), randn(17, dtype, 1, 2, 6, 4)),
                xs -> FusedOps.causalAttention(xs.get(0), xs.get(1), xs.get(2), 0.5));
    }

    /** From a context of {@link FlashAttention#MIN_CONTEXT} on, PyTorch's fused attention kernel runs both ways. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void causalAttentionOverALongContext(DType dtype) {
        int t = FlashAttention.MIN_CONTEXT;
        compare("attention over " + t + " positions", FusedOp.CAUSAL_ATTENTION, List.of(randn(30, dtype, 1, 2, t, 8),
                randn(31, dtype, 1, 2, t, 8), randn(32, dtype, 1, 2, t, 8)),
                xs -> FusedOps.causalAttention(xs.get(0), xs.get(1), xs.get(2), 0.35));
        compare("attention over " + t + " positions from packed q, k, v (strided views)", FusedOp.CAUSAL_ATTENTION,
                List.of(randn(33, dtype, 2 * t, 3 * 2 * 8)), xs -> FusedOps.causalAttentionPacked(xs.get(0), 2, 2, 0.35));
        Tensor q = randn(34, dtype, 1, 2, t, 8).on(djl);
        FusedKernels.Result forward = djl.fused().causalAttention(q.nativeTensor(), q.nativeTensor(), q.nativeTensor(), 0.35, true);
        try {
            assertEquals(1, forward.saved().size(), "the fused kernel saves the rows' log-sum-exp only");
            assertEquals(Shape.of(1, 2, t), forward.saved(0).shape());
        } finally {
            forward.output().close();
            forward.saved().forEach(NativeTensor::close);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void adamWMatchesTorchAdamW(DType dtype) {
        double tol = dtype == DType.F64 ? 1e-12 : 1e-5;
        Input p = randn(20, dtype, 3, 4);
        Input g = randn(21, dtype, 3, 4);
        FusedKernels.AdamWStep[] steps = {
            new FusedKernels.AdamWStep(1e-2, 0.9, 0.999, 1e-8, 0.1, 1),
            new FusedKernels.AdamWStep(3e-3, 0.8, 0.99, 1e-6, 0.0, 2),
            new FusedKernels.AdamWStep(3e-3, 0.8, 0.99, 1e-6, 0.01, 3)};
        List<double[]> expected = adamW(ref, p, g, steps, false);
        List<double[]> actual = adamW(djl, p, g, steps, false);
        for (int i = 0; i < expected.size(); i++) {
            assertClose("adamW " + dtype + " state " + i, expected.get(i), actual.get(i), tol);
        }
    }

    @org.junit.jupiter.api.Test
    void adamWUpdatesInPlaceOnlyWhenNoViewSharesTheStorage() {
        Input p = randn(30, DType.F32, 2, 3);
        Input g = randn(31, DType.F32, 2, 3);
        FusedKernels.AdamWStep step = new FusedKernels.AdamWStep(0.1, 0.9, 0.999, 1e-8, 0.0, 1);
        Tensor param = Tensor.on(djl).of(p.values(), p.shape(), DType.F32);
        Tensor grad = Tensor.on(djl).of(g.values(), g.shape(), DType.F32);
        Tensor m = Tensor.on(djl).zeros(p.shape(), DType.F32);
        Tensor v = Tensor.on(djl).zeros(p.shape(), DType.F32);

        NativeTensor before = param.nativeTensor();
        FusedOps.adamWUpdate(param, grad, m, v, step);
        assertSame(before, param.nativeTensor(), "a private parameter is updated in place");

        Tensor view = param.reshape(3, 2);
        double[] viewBefore = view.toDoubleArray();
        FusedOps.adamWUpdate(param, grad, m, v, step);
        assertArrayEquals(viewBefore, view.toDoubleArray(), "an open view of the parameter must not change");
        assertTrue(before != param.nativeTensor(), "with a view open, the update goes to a new handle");
    }

    private static List<double[]> adamW(Backend b, Input p, Input g, FusedKernels.AdamWStep[] steps, boolean unused) {
        try (TensorScope s = TensorScope.open()) {
            Tensor param = Tensor.on(b).of(p.values(), p.shape(), p.dtype());
            Tensor grad = Tensor.on(b).of(g.values(), g.shape(), g.dtype());
            Tensor m = Tensor.on(b).zeros(p.shape(), p.dtype());
            Tensor v = Tensor.on(b).zeros(p.shape(), p.dtype());
            for (FusedKernels.AdamWStep step : steps) {
                FusedOps.adamWUpdate(param, grad, m, v, step);
            }
            return List.of(param.toDoubleArray(), m.toDoubleArray(), v.toDoubleArray());
        }
    }
}
