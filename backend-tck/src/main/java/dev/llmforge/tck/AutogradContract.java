package dev.llmforge.tck;

import static dev.llmforge.tensor.DType.BOOL;
import static dev.llmforge.tensor.DType.F32;
import static dev.llmforge.tensor.DType.F64;
import static dev.llmforge.tensor.DType.I32;
import static dev.llmforge.tensor.DType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.autograd.Ops;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.Capability;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Core's backward rules running on the backend's kernels, checked against central finite
 * differences for every differentiable primitive (broadcasting included), every fused op and the
 * functions core composes from them for alignment (log-softmax, log-sum-exp, entropy, per-token
 * log-probabilities, masked sums and means; these are also compared with the reference), plus
 * gradient accumulation, {@link GradMode#noGrad()} and {@link Tensor#detach()}.
 *
 * <p>Each check differentiates {@code sum(f(inputs) * w)} for a fixed random {@code w}. With
 * {@link Capability#F64} the analytic gradient and the differences (step 1e-6) are both computed on
 * the backend in F64 and must agree to 1e-6 relative to the gradient's magnitude (the differences
 * themselves are good to about 1e-9). Without F64 the check still runs rather than being skipped:
 * the backend's F32 gradient is compared, to 1e-3, with differences of the same function (same
 * F32-rounded inputs) evaluated in F64 on the reference backend.
 */
public abstract class AutogradContract extends BackendContract {
    private static final double STEP = 1e-6;

    private record GradCase(String name, List<HostTensor> inputs, boolean[] wrt, TensorOp f) {
    }

    private static boolean[] wrt(boolean... flags) {
        return flags;
    }

    private static int[] d(int... dims) {
        return dims;
    }

    // ---- the finite-difference check ----------------------------------------------------------------------

    private DynamicTest gradCheck(GradCase c) {
        return DynamicTest.dynamicTest(c.name(), () -> check(c));
    }

    private void check(GradCase c) {
        boolean f64 = backend().supports(Capability.F64);
        List<HostTensor> inputs = converted(c.inputs(), f64 ? F64 : F32);
        Gradients.Result analytic = Gradients.of(c.name() + " on " + backend().name(), backend(), inputs, c.wrt(), c.f(), c.name());
        Backend numericOn = f64 ? backend() : reference();
        List<HostTensor> exact = converted(inputs, F64);
        HostTensor weights = new Rng(c.name()).uniform(analytic.output().dtype(), analytic.output().shape(), -1, 1).as(F64);
        for (int i = 0; i < exact.size(); i++) {
            if (!c.wrt()[i]) {
                continue;
            }
            double[] numeric = new double[exact.get(i).values().length];
            for (int e = 0; e < numeric.length; e++) {
                double x = exact.get(i).values()[e];
                List<HostTensor> plus = new ArrayList<>(exact);
                plus.set(i, exact.get(i).with(e, x + STEP));
                List<HostTensor> minus = new ArrayList<>(exact);
                minus.set(i, exact.get(i).with(e, x - STEP));
                numeric[e] = (weightedSum(numericOn, plus, c.f(), weights) - weightedSum(numericOn, minus, c.f(), weights)) / (2 * STEP);
            }
            double magnitude = Math.max(1, new Expect.Values(exact.get(i).shape(), F64, numeric).maxAbs());
            double rtol = f64 ? 1e-6 : 1e-3;
            Expect.close(c.name() + ": gradient of input " + i + " " + inputs.get(i).describe() + " on " + backend().name()
                            + " vs central differences" + (f64 ? "" : " (F64 on " + REFERENCE + ")"),
                    new Tolerance(rtol, rtol * magnitude), exact.get(i).shape(), numeric, analytic.grads().get(i).data());
        }
    }

    private static double weightedSum(Backend b, List<HostTensor> inputs, TensorOp f, HostTensor weights) {
        try (TensorScope ignored = TensorScope.open(); GradMode.Restore noGrad = GradMode.noGrad()) {
            List<Tensor> xs = new ArrayList<>();
            for (HostTensor h : inputs) {
                xs.add(h.on(b));
            }
            return f.apply(xs).mul(weights.on(b)).sum().item();
        }
    }

    private static List<HostTensor> converted(List<HostTensor> inputs, DType floating) {
        List<HostTensor> out = new ArrayList<>();
        for (HostTensor h : inputs) {
            out.add(h.dtype().isFloating() ? h.as(floating) : h);
        }
        return out;
    }

    // ---- primitives ------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> primitiveGradientsMatchFiniteDifferences() {
        return primitiveCases().stream().map(this::gradCheck);
    }

    private static List<GradCase> primitiveCases() {
        List<GradCase> cases = new ArrayList<>();
        Rng r = new Rng("autograd primitives");
        cases.add(new GradCase("add [2, 1, 3] + [4, 3]", List.of(r.uniform(F64, d(2, 1, 3), -1, 1), r.uniform(F64, d(4, 3), -1, 1)),
                wrt(true, true), xs -> xs.get(0).add(xs.get(1))));
        cases.add(new GradCase("sub [3] - []", List.of(r.uniform(F64, d(3), -1, 1), r.uniform(F64, d(), -1, 1)),
                wrt(true, true), xs -> xs.get(0).sub(xs.get(1))));
        cases.add(new GradCase("mul [2, 3] * [3]", List.of(r.uniform(F64, d(2, 3), -1, 1), r.uniform(F64, d(3), -1, 1)),
                wrt(true, true), xs -> xs.get(0).mul(xs.get(1))));
        cases.add(new GradCase("div [2, 3] / [2, 1]", List.of(r.uniform(F64, d(2, 3), -1, 1), r.awayFromZero(F64, d(2, 1), 0.5, 2)),
                wrt(true, true), xs -> xs.get(0).div(xs.get(1))));
        HostTensor b = r.uniform(F64, d(3), -1, 1);
        cases.add(new GradCase("maximum [2, 3] vs [3], no ties", List.of(separatedFrom(r, b, 2), b),
                wrt(true, true), xs -> xs.get(0).maximum(xs.get(1))));
        cases.add(new GradCase("neg [2, 3]", List.of(r.uniform(F64, d(2, 3), -2, 2)), wrt(true), xs -> xs.get(0).neg()));
        cases.add(new GradCase("exp [2, 3]", List.of(r.uniform(F64, d(2, 3), -2, 2)), wrt(true), xs -> xs.get(0).exp()));
        cases.add(new GradCase("log [2, 3]", List.of(r.uniform(F64, d(2, 3), 0.5, 3)), wrt(true), xs -> xs.get(0).log()));
        cases.add(new GradCase("sqrt [2, 3]", List.of(r.uniform(F64, d(2, 3), 0.5, 3)), wrt(true), xs -> xs.get(0).sqrt()));
        cases.add(new GradCase("tanh [2, 3]", List.of(r.uniform(F64, d(2, 3), -2, 2)), wrt(true), xs -> xs.get(0).tanh()));
        cases.add(new GradCase("reciprocal [2, 3]", List.of(r.awayFromZero(F64, d(2, 3), 0.5, 2)), wrt(true), xs -> xs.get(0).reciprocal()));
        cases.add(new GradCase("erf [2, 3]", List.of(r.uniform(F64, d(2, 3), -2, 2)), wrt(true), xs -> xs.get(0).erf()));
        cases.add(new GradCase("x * x + exp(x) (one input used three times)", List.of(r.uniform(F64, d(4), -1, 1)), wrt(true),
                xs -> xs.get(0).mul(xs.get(0)).add(xs.get(0).exp())));
        cases.add(new GradCase("where cond [2, 3] ? [2, 3] : [3]", List.of(r.bools(d(2, 3)), r.uniform(F64, d(2, 3), -1, 1), r.uniform(F64, d(3), -1, 1)),
                wrt(false, true, true), xs -> xs.get(0).where(xs.get(1), xs.get(2))));
        for (int[] axes : List.of(d(1), d(0, 2), d(0, 1, 2))) {
            for (boolean keep : new boolean[] {false, true}) {
                String suffix = " [2, 3, 4] over " + Arrays.toString(axes) + (keep ? " keepDim" : "");
                cases.add(new GradCase("sum" + suffix, List.of(r.uniform(F64, d(2, 3, 4), -1, 1)), wrt(true), xs -> xs.get(0).sum(axes, keep)));
                cases.add(new GradCase("max" + suffix + ", no ties", List.of(r.distinct(F64, d(2, 3, 4))), wrt(true), xs -> xs.get(0).max(axes, keep)));
            }
        }
        cases.add(new GradCase("mean [3, 4] over [0]", List.of(r.uniform(F64, d(3, 4), -1, 1)), wrt(true), xs -> xs.get(0).mean(new int[] {0}, false)));
        cases.add(new GradCase("reshape [2, 3, 4] to [6, 4]", List.of(r.uniform(F64, d(2, 3, 4), -1, 1)), wrt(true), xs -> xs.get(0).reshape(6, 4)));
        cases.add(new GradCase("permute [2, 3, 4] by [2, 0, 1]", List.of(r.uniform(F64, d(2, 3, 4), -1, 1)), wrt(true), xs -> xs.get(0).permute(2, 0, 1)));
        cases.add(new GradCase("expand [3, 1] to [2, 3, 4]", List.of(r.uniform(F64, d(3, 1), -1, 1)), wrt(true), xs -> xs.get(0).expand(Shape.of(2, 3, 4))));
        cases.add(new GradCase("slice [4, 5] axis 1 [1, 4)", List.of(r.uniform(F64, d(4, 5), -1, 1)), wrt(true), xs -> xs.get(0).slice(1, 1, 4)));
        cases.add(new GradCase("slice [4, 5] axis 0 [0, 4)", List.of(r.uniform(F64, d(4, 5), -1, 1)), wrt(true), xs -> xs.get(0).slice(0, 0, 4)));
        cases.add(new GradCase("concat [2, 2] [2, 3] [2, 1] axis 1",
                List.of(r.uniform(F64, d(2, 2), -1, 1), r.uniform(F64, d(2, 3), -1, 1), r.uniform(F64, d(2, 1), -1, 1)),
                wrt(true, true, true), xs -> Ops.concat(xs, 1)));
        cases.add(new GradCase("gather [5, 3] axis 0, repeated I64 indices [2, 3]", List.of(r.uniform(F64, d(5, 3), -1, 1), r.indices(I64, d(2, 3), 5)),
                wrt(true, false), xs -> xs.get(0).gather(0, xs.get(1))));
        cases.add(new GradCase("gather [2, 4] axis 1, repeated I32 indices [5]", List.of(r.uniform(F64, d(2, 4), -1, 1), r.indices(I32, d(5), 4)),
                wrt(true, false), xs -> xs.get(0).gather(1, xs.get(1))));
        cases.add(new GradCase("scatterAdd into [4, 3] axis 0, repeated indices [5]", List.of(r.indices(I64, d(5), 4), r.uniform(F64, d(5, 3), -1, 1)),
                wrt(false, true), xs -> Ops.scatterAdd(Shape.of(4, 3), 0, xs.get(0), xs.get(1))));
        int[][][] shapes = {{d(2, 3, 4), d(4, 5)}, {d(3, 4), d(2, 4, 5)}};
        for (int[][] sh : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int[] a = ta ? swapLast(sh[0]) : sh[0];
                    int[] bb = tb ? swapLast(sh[1]) : sh[1];
                    String name = "matmul " + Arrays.toString(a) + (ta ? "^T" : "") + " @ " + Arrays.toString(bb) + (tb ? "^T" : "");
                    cases.add(new GradCase(name, List.of(r.uniform(F64, a, -1, 1), r.uniform(F64, bb, -1, 1)), wrt(true, true),
                            xs -> xs.get(0).matmul(xs.get(1), ta, tb)));
                }
            }
        }
        return cases;
    }

    /** Values of shape (rows, b.size) at least 0.1 away from {@code b} broadcast over the rows. */
    private static HostTensor separatedFrom(Rng r, HostTensor b, int rows) {
        int n = b.values().length;
        double[] v = new double[rows * n];
        for (int i = 0; i < v.length; i++) {
            double gap = 0.1 + 0.5 * r.nextDouble();
            v[i] = b.values()[i % n] + (r.nextDouble() < 0.5 ? gap : -gap);
        }
        return HostTensor.of(F64, d(rows, n), v);
    }

    private static int[] swapLast(int[] dims) {
        int[] s = dims.clone();
        s[s.length - 1] = dims[dims.length - 2];
        s[s.length - 2] = dims[dims.length - 1];
        return s;
    }

    // ---- functions composed in core (log-probabilities, entropy, masked reductions) --------------------------

    @TestFactory
    Stream<DynamicTest> functionGradientsMatchFiniteDifferences() {
        return functionCases().stream().map(this::gradCheck);
    }

    @TestFactory
    Stream<DynamicTest> functionsMatchTheReference() {
        return functionCases().stream().map(c -> DynamicTest.dynamicTest(c.name() + " F32", () -> {
            List<HostTensor> inputs = converted(c.inputs(), F32);
            Gradients.Result expected = Gradients.of(c.name() + " on " + REFERENCE, reference(), inputs, c.wrt(), c.f(), c.name());
            Gradients.Result actual = Gradients.of(c.name() + " on " + backend().name(), backend(), inputs, c.wrt(), c.f(), c.name());
            Gradients.assertClose(c.name() + " on " + backend().name() + " vs " + REFERENCE, inputs, expected, actual);
        }));
    }

    private static List<GradCase> functionCases() {
        List<GradCase> cases = new ArrayList<>();
        Rng r = new Rng("composed functions");
        cases.add(new GradCase("logSoftmax (2, 3, 5)", List.of(r.uniform(F64, d(2, 3, 5), -3, 3)), wrt(true), xs -> F.logSoftmax(xs.get(0))));
        cases.add(new GradCase("logSumExp (4, 6)", List.of(r.uniform(F64, d(4, 6), -3, 3)), wrt(true), xs -> F.logSumExp(xs.get(0))));
        cases.add(new GradCase("entropy (3, 7)", List.of(r.uniform(F64, d(3, 7), -3, 3)), wrt(true), xs -> F.entropy(xs.get(0))));
        cases.add(new GradCase("tokenLogProbs (2, 3, 5), I64 targets (2, 3)", List.of(r.uniform(F64, d(2, 3, 5), -3, 3), r.indices(I64, d(2, 3), 5)),
                wrt(true, false), xs -> F.tokenLogProbs(xs.get(0), xs.get(1))));
        HostTensor mask = HostTensor.of(F64, d(2, 4), 0, 1, 1, 0, 1, 1, 1, 1);
        cases.add(new GradCase("maskedSum (2, 4)", List.of(r.uniform(F64, d(2, 4), -2, 2), mask), wrt(true, false),
                xs -> F.maskedSum(xs.get(0), xs.get(1))));
        cases.add(new GradCase("maskedMean (2, 4)", List.of(r.uniform(F64, d(2, 4), -2, 2), mask), wrt(true, false),
                xs -> F.maskedMean(xs.get(0), xs.get(1))));
        return cases;
    }

    // ---- fused ops -----------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> fusedGradientsMatchFiniteDifferences() {
        return FusedCases.all(F64).stream().map(c -> gradCheck(new GradCase(c.name(), c.inputs(), c.differentiable(), c.fused())));
    }

    // ---- tape behaviour ------------------------------------------------------------------------------------------------

    @Test
    void gradientsAccumulateOverTwoBackwardCalls() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = tensors().of(new float[] {1, -2, 3}, 3).requiresGrad(true);
            x.square().sum().backward();                 // 2x
            assertArrayEquals(new double[] {2, -4, 6}, x.grad().toDoubleArray(), 1e-6, "after the first backward");
            x.mul(3).sum().backward();                   // + 3
            assertArrayEquals(new double[] {5, -1, 9}, x.grad().toDoubleArray(), 1e-6, "gradients add up over backward calls");
            x.zeroGrad();
            assertNull(x.grad(), "zeroGrad drops the gradient");
            x.exp().sum().backward();
            assertArrayEquals(new double[] {Math.exp(1), Math.exp(-2), Math.exp(3)}, x.grad().toDoubleArray(), 1e-5, "after zeroGrad");
        }
    }

    @Test
    void inputsThatDoNotRequireGradGetNone() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor a = tensors().of(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor b = tensors().of(new float[] {3, 4}, 2);
            a.mul(b).sum().backward();
            assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray(), 1e-6);
            assertNull(b.grad(), "a tensor without requiresGrad gets no gradient");
            assertFalse(b.requiresGrad());
        }
    }

    @Test
    void noGradRecordsNothing() {
        assertLeavesNothingAlive("operations under noGrad", () -> {
            try (TensorScope ignored = TensorScope.open()) {
                Tensor x = tensors().of(new float[] {0.5f, -1, 2}, 3).requiresGrad(true);
                Tensor y;
                Tensor fused;
                try (GradMode.Restore off = GradMode.noGrad()) {
                    y = x.mul(x).exp().sum();
                    fused = FusedOps.gelu(x, true);
                }
                assertFalse(y.requiresGrad(), "computed under noGrad: no graph");
                assertFalse(fused.requiresGrad(), "fused op under noGrad: no graph");
                assertTrue(x.mul(x).requiresGrad(), "grad mode is back on after the block");
                assertThrows(IllegalStateException.class, y::backward, "backward of a tensor computed under noGrad");
                assertNull(x.grad());
            }
        });
    }

    @Test
    void detachCutsTheGraphButSharesTheValues() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = tensors().of(new float[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor frozen = x.detach();
            assertFalse(frozen.requiresGrad());
            assertArrayEquals(x.toDoubleArray(), frozen.toDoubleArray(), 0.0, "detach shares the values");
            x.mul(frozen).sum().backward(); // d/dx (x * const) = const = x
            assertArrayEquals(new double[] {1, 2, 3}, x.grad().toDoubleArray(), 1e-6, "no gradient flows through the detached factor");
        }
    }

    @TestFactory
    Stream<DynamicTest> castBetweenFloatTypesPassesTheGradientThrough() {
        return Stream.of(new DType[] {F64, F32}, new DType[] {F32, F64}).map(pair -> DynamicTest.dynamicTest(
                "cast " + pair[0] + " -> " + pair[1], () -> {
                    requireCapability(Capability.F64);
                    try (TensorScope ignored = TensorScope.open()) {
                        TensorFactory f = tensors();
                        double[] w = {0.25, -1.5, 3};
                        Tensor x = f.of(new double[] {1, 2, 3}, Shape.of(3), pair[0]).requiresGrad(true);
                        x.cast(pair[1]).mul(f.of(w, Shape.of(3), pair[1])).sum().backward();
                        assertEquals(pair[0], x.grad().dtype(), "the gradient has the input's dtype");
                        assertArrayEquals(w, x.grad().toDoubleArray(), 0.0, "d/dx sum(cast(x) * w) = w");
                    }
                }));
    }

    @Test
    void integerAndBooleanTensorsCannotRequireGrad() {
        try (TensorScope ignored = TensorScope.open()) {
            for (DType t : List.of(I32, I64, BOOL)) {
                Tensor x = tensors().zeros(Shape.of(2), t);
                assertThrows(IllegalArgumentException.class, () -> x.requiresGrad(true), t.toString());
            }
        }
    }
}
