package dev.llmforge.tck;

import static dev.llmforge.tensor.DType.F32;
import static dev.llmforge.tensor.DType.F64;
import static dev.llmforge.tensor.DType.I32;
import static dev.llmforge.tensor.DType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.capture.StepFunction;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tck.Expect.Values;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The fused forward/backward pairs of {@link FusedKernels}: each compared with the reference
 * backend and with its definition from primitives (forward values and autograd gradients), in F32
 * and F64, and its forward also when no backward follows; a native pair overrides both of its
 * methods; the kernels return fresh handles and leak nothing, with or without a backward; and a
 * training step built from the functional API really calls every fused forward and backward
 * (through {@link Dispatch#observe}), the native override where the backend declares one.
 */
public abstract class FusedOpContract extends BackendContract {
    private static final List<DType> FLOATS = List.of(F32, F64);

    /** The methods of each pair, forward first. */
    private static final Map<FusedOp, List<String>> METHODS = new EnumMap<>(Map.of(
            FusedOp.SOFTMAX_CROSS_ENTROPY, List.of("softmaxCrossEntropy", "softmaxCrossEntropyBackward"),
            FusedOp.LAYER_NORM, List.of("layerNorm", "layerNormBackward"),
            FusedOp.GELU, List.of("gelu", "geluBackward"),
            FusedOp.SOFTMAX, List.of("softmax", "softmaxBackward"),
            FusedOp.CAUSAL_ATTENTION, List.of("causalAttention", "causalAttentionBackward"),
            FusedOp.ADAMW_UPDATE, List.of("adamWUpdate")));

    // ---- values and gradients ----------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> fusedOpsMatchTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : FLOATS) {
            for (FusedCases.Case c : FusedCases.all(t)) {
                String label = c.name() + " " + t;
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    requireDtype(t);
                    Gradients.Result expected = Gradients.of(label + " on " + REFERENCE, reference(), c.inputs(), c.differentiable(), c.fused(), label);
                    Gradients.Result actual = Gradients.of(label + " on " + backend().name(), backend(), c.inputs(), c.differentiable(), c.fused(), label,
                            captured());
                    Gradients.assertClose(label + " on " + backend().name() + " vs " + REFERENCE, c.inputs(), expected, actual);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> fusedOpsMatchTheirDefinitionInPrimitives() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : FLOATS) {
            for (FusedCases.Case c : FusedCases.all(t)) {
                String label = c.name() + " " + t + ": fused vs primitives";
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    requireDtype(t);
                    Gradients.Result expected = Gradients.of(label + " (definition)", backend(), c.inputs(), c.differentiable(), c.definition(), label);
                    Gradients.Result actual = Gradients.of(label + " (fused)", backend(), c.inputs(), c.differentiable(), c.fused(), label);
                    Gradients.assertClose(label + " on " + backend().name(), c.inputs(), expected, actual);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> fusedForwardsWithoutGradientsMatchTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType t : FLOATS) {
            for (FusedCases.Case c : FusedCases.all(t)) {
                String label = c.name() + " " + t + ", no gradient needed";
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    requireDtype(t);
                    Values expected = forwardOnly(reference(), c, false);
                    Values actual = forwardOnly(backend(), c, captured());
                    Expect.close(label + " on " + backend().name() + " vs " + REFERENCE, Tolerance.Kind.ACCUMULATED, expected, actual);
                }));
            }
        }
        return tests.stream();
    }

    /** The case's fused op on inputs that need no gradient: core tells the forward that no backward follows. */
    private static Values forwardOnly(Backend on, FusedCases.Case c, boolean captured) {
        try (TensorScope ignored = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (HostTensor h : c.inputs()) {
                xs.add(h.on(on));
            }
            StepFunction forward = in -> List.of(c.fused().apply(in));
            return Values.of((captured ? Captured.apply(on, forward, xs) : forward.apply(xs)).get(0));
        }
    }

    @Test
    void crossEntropyOfUniformLogitsAndOfIgnoredTargets() {
        for (DType targetType : List.of(I64, I32)) {
            try (TensorScope ignored = TensorScope.open()) {
                TensorFactory f = tensors();
                Tensor logits = f.zeros(Shape.of(2, 4), F32).requiresGrad(true);
                Tensor loss = FusedOps.softmaxCrossEntropy(logits, f.of(new double[] {1, FusedCases.IGNORE}, Shape.of(2), targetType), FusedCases.IGNORE);
                assertEquals(Math.log(4), loss.item(), 1e-6, "uniform logits over 4 classes, one target kept (" + targetType + ")");
                loss.backward();
                assertArrayEquals(new double[] {0.25, -0.75, 0.25, 0.25, 0, 0, 0, 0}, logits.grad().toDoubleArray(), 1e-6,
                        "gradient: softmax minus one-hot on the kept row, zero on the ignored row");

                Tensor all = f.of(new float[] {1, -2, 3, 0.5f, 2, -1}, 2, 3).requiresGrad(true);
                Tensor none = f.of(new double[] {FusedCases.IGNORE, FusedCases.IGNORE}, Shape.of(2), targetType);
                Tensor zero = FusedOps.softmaxCrossEntropy(all, none, FusedCases.IGNORE);
                assertEquals(0.0, zero.item(), 0.0, "every target ignored: the loss is 0");
                zero.backward();
                assertArrayEquals(new double[6], all.grad().toDoubleArray(), 0.0, "every target ignored: the gradient is 0");
            }
        }
    }

    // ---- AdamW ------------------------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> adamWMatchesItsFormula() {
        return FLOATS.stream().map(t -> DynamicTest.dynamicTest("adamWUpdate " + t + ", three steps vs the formula in double", () -> adamW(t)));
    }

    private void adamW(DType t) {
        requireDtype(t);
        assertLeavesNothingAlive("three adamWUpdate steps in a scope", () -> adamWSteps(t));
    }

    private void adamWSteps(DType t) {
        FusedKernels.AdamWStep hyper = new FusedKernels.AdamWStep(0.1, 0.9, 0.99, 1e-8, 0.1, 0);
        Rng rng = new Rng("adamW " + t);
        HostTensor p0 = rng.uniform(t, new int[] {3, 4}, -1, 1);
        double[] p = p0.values().clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        try (TensorScope ignored = TensorScope.open()) {
            Tensor param = p0.on(backend());
            Tensor mt = tensors().zeros(p0.shape(), t);
            Tensor vt = tensors().zeros(p0.shape(), t);
            for (int step = 1; step <= 3; step++) {
                HostTensor g = rng.uniform(t, new int[] {3, 4}, -2, 2);
                Tensor grad = g.on(backend());
                FusedOps.adamWUpdate(param, grad, mt, vt, new FusedKernels.AdamWStep(hyper.lr(), hyper.beta1(), hyper.beta2(),
                        hyper.eps(), hyper.weightDecay(), step));
                hostAdamW(p, m, v, g.values(), hyper, step);
                String what = "adamWUpdate " + t + " step " + step;
                Expect.exact(what + ": the gradient must not change", g.shape(), g.values(), grad.toDoubleArray());
                Expect.close(what + ": param", Tolerance.Kind.ACCUMULATED, new Values(p0.shape(), t, round(t, p)), Values.of(param));
                Expect.close(what + ": first moment", Tolerance.Kind.ACCUMULATED, new Values(p0.shape(), t, round(t, m)), Values.of(mt));
                Expect.close(what + ": second moment", Tolerance.Kind.ACCUMULATED, new Values(p0.shape(), t, round(t, v)), Values.of(vt));
            }
        }
    }

    /** PyTorch's AdamW, in double. */
    private static void hostAdamW(double[] p, double[] m, double[] v, double[] g, FusedKernels.AdamWStep s, int step) {
        double bc1 = 1 - Math.pow(s.beta1(), step);
        double bc2 = 1 - Math.pow(s.beta2(), step);
        for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - s.lr() * s.weightDecay();
            m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g[i];
            v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g[i] * g[i];
            p[i] -= s.lr() * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + s.eps());
        }
    }

    private static double[] round(DType t, double[] values) {
        double[] r = new double[values.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = HostTensor.round(t, values[i]);
        }
        return r;
    }

    // ---- native pairs are whole --------------------------------------------------------------------------------

    @Test
    void nativeFusedOpsOverrideBothMethodsOfTheirPair() {
        FusedKernels fused = backend().fused();
        assertNotNull(fused, "Backend.fused() returned null");
        Set<FusedOp> declared = backend().nativeFusedOps();
        List<String> problems = new ArrayList<>();
        for (FusedOp op : FusedOp.values()) {
            List<String> overridden = new ArrayList<>();
            List<String> inherited = new ArrayList<>();
            for (String name : METHODS.get(op)) {
                (isOverridden(fused, name) ? overridden : inherited).add(name);
            }
            if (declared.contains(op) && !inherited.isEmpty()) {
                problems.add(op + " is listed in nativeFusedOps() but " + fused.getClass().getName() + " does not override " + inherited);
            } else if (!overridden.isEmpty() && !inherited.isEmpty()) {
                problems.add(fused.getClass().getName() + " overrides " + overridden + " but not " + inherited
                        + ": a fused forward without its backward (or the reverse) is a bug");
            } else if (!declared.contains(op) && inherited.isEmpty()) {
                problems.add(fused.getClass().getName() + " overrides every method of " + op + " but nativeFusedOps() does not list it");
            }
        }
        if (!problems.isEmpty()) {
            fail("backend " + backend().name() + ": " + String.join("; ", problems));
        }
    }

    private static boolean isOverridden(FusedKernels fused, String name) {
        for (Method m : FusedKernels.class.getMethods()) {
            if (m.getName().equals(name) && m.getDeclaringClass() == FusedKernels.class) {
                try {
                    return fused.getClass().getMethod(name, m.getParameterTypes()).getDeclaringClass() != FusedKernels.class;
                } catch (NoSuchMethodException e) {
                    throw new AssertionError("FusedKernels." + name + " not found on " + fused.getClass(), e);
                }
            }
        }
        throw new AssertionError("FusedKernels has no public method " + name);
    }

    // ---- handle hygiene at the kernel level -------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> fusedKernelsReturnFreshHandlesAndLeakNothing() {
        List<DynamicTest> tests = new ArrayList<>();
        for (FusedCases.Case c : FusedCases.all(F32)) {
            for (boolean backwardFollows : new boolean[] {true, false}) {
                String label = c.name() + ": kernel-level handles, " + (backwardFollows ? "forward and backward" : "forward alone");
                tests.add(DynamicTest.dynamicTest(label, () -> {
                    kernelHygiene(c, backwardFollows, false); // warm-up: a backend may fill caches on first use
                    kernelHygiene(c, backwardFollows, true);
                }));
            }
        }
        return tests.stream();
    }

    /**
     * Calls the case's forward kernel, told whether its backward follows, then (if it does) the
     * backward; checks that each returns fresh handles and leaves exactly those alive.
     */
    private void kernelHygiene(FusedCases.Case c, boolean backwardFollows, boolean countHandles) {
        Backend b = backend();
        FusedKernels fused = b.fused();
        try (TensorScope ignored = TensorScope.open()) {
            List<NativeTensor> in = new ArrayList<>();
            for (HostTensor h : c.inputs()) {
                in.add(h.on(b).nativeTensor());
            }
            Shape outShape = c.op() == FusedOp.SOFTMAX_CROSS_ENTROPY ? Shape.scalar() : c.inputs().get(0).shape();
            NativeTensor gradOut = new Rng(c.name()).uniform(F32, outShape, -1, 1).on(b).nativeTensor();
            Set<NativeTensor> arguments = identitySet(in);
            arguments.add(gradOut);
            long before = b.liveTensorCount();
            List<NativeTensor> returned = new ArrayList<>();
            try {
                FusedKernels.Result r = c.kernels().forward().apply(fused, in, backwardFollows);
                assertNotNull(r.output(), c.name() + ": forward returned a null output");
                assertEquals(outShape, r.output().shape(), c.name() + ": forward output shape");
                returned.add(r.output());
                returned.addAll(r.saved());
                Set<NativeTensor> seen = identitySet(List.of());
                for (NativeTensor h : returned) {
                    assertNotNull(h, c.name() + ": forward returned a null saved handle");
                    assertTrue(!arguments.contains(h), c.name() + ": forward returned one of its input handles (core would close it twice)");
                    assertTrue(seen.add(h), c.name() + ": forward returned the same handle twice (output and saved, or saved twice)");
                }
                if (countHandles) {
                    assertEquals(before + returned.size(), b.liveTensorCount(),
                            c.name() + ": forward must leave exactly its output and saved handles alive (temporaries closed)");
                }
                if (backwardFollows) {
                    long beforeBackward = b.liveTensorCount();
                    NativeTensor[] grads = c.kernels().backward().apply(fused, in, r, gradOut);
                    int made = 0;
                    for (int i = 0; i < grads.length; i++) {
                        NativeTensor g = grads[i];
                        if (g == null) {
                            continue;
                        }
                        assertTrue(!arguments.contains(g) && !seen.contains(g),
                                c.name() + ": backward result " + i + " is one of its argument handles");
                        assertTrue(seen.add(g), c.name() + ": backward returned the same handle twice");
                        assertEquals(c.inputs().get(i).shape(), g.shape(), c.name() + ": shape of backward result " + i);
                        returned.add(g);
                        made++;
                    }
                    if (countHandles) {
                        assertEquals(beforeBackward + made, b.liveTensorCount(),
                                c.name() + ": backward must leave exactly its results alive (temporaries closed)");
                    }
                }
            } finally {
                for (NativeTensor h : returned) {
                    h.close();
                }
            }
            if (countHandles) {
                assertEquals(before, b.liveTensorCount(), c.name() + ": live native tensors after closing every result");
            }
        }
    }

    private static Set<NativeTensor> identitySet(List<NativeTensor> hs) {
        Set<NativeTensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(hs);
        return s;
    }

    // ---- the training path uses the fused entry points -----------------------------------------------------------

    @Test
    void trainingStepCallsEveryFusedForwardAndBackward() {
        assertLeavesNothingAlive("four training steps and closing the model", this::trainAndObserve);
    }

    private void trainAndObserve() {
        Backend b = backend();
        Set<String> calls = Collections.synchronizedSet(new LinkedHashSet<>());
        List<Double> losses = new ArrayList<>();
        try (TinyModel model = new TinyModel(b)) {
            for (int step = 1; step <= 4; step++) {
                try (TensorScope ignored = TensorScope.open(); Dispatch.Restore observer = Dispatch.observe((op, on, nanos) -> {
                    if (on == b) {
                        calls.add(op);
                    }
                })) {
                    Tensor loss = model.loss();
                    loss.backward();
                    model.adamWStep(step);
                    losses.add(loss.item());
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (FusedOp op : FusedOp.values()) {
            for (String name : METHODS.get(op)) {
                if (!calls.contains("fused." + name)) {
                    missing.add("fused." + name);
                }
            }
        }
        assertTrue(missing.isEmpty(), "the training step never called " + missing + " on " + b.name() + "; it called " + calls);
        FusedKernels fused = b.fused();
        for (FusedOp op : b.nativeFusedOps()) {
            for (String name : METHODS.get(op)) {
                assertTrue(isOverridden(fused, name), op + " is declared native but the training step ran FusedKernels." + name
                        + " (the default) on " + fused.getClass().getName());
            }
        }
        assertTrue(losses.get(losses.size() - 1) < losses.get(0), "four AdamW steps on one batch should lower the loss: " + losses);
    }

    /**
     * A one-block language model from the functional API: embedding gather, layer norm, causal
     * attention, GELU, a linear head and cross-entropy (with an ignored target), plus a small
     * softmax term so the step also differentiates through F.softmax; AdamW updates every parameter.
     */
    private static final class TinyModel implements AutoCloseable {
        private static final int BATCH = 2;
        private static final int TIME = 5;
        private static final int CHANNELS = 8;
        private static final int HEADS = 2;
        private static final int VOCAB = 11;

        private final Backend backend;
        private final List<Tensor> params = new ArrayList<>();
        private final List<Tensor> moments = new ArrayList<>();
        private final Tensor tokens;
        private final Tensor targets;
        private final Tensor wte;
        private final Tensor lnWeight;
        private final Tensor lnBias;
        private final Tensor wqkv;
        private final Tensor head;

        TinyModel(Backend backend) {
            this.backend = backend;
            Rng rng = new Rng("tiny model");
            wte = param(rng.uniform(F32, new int[] {VOCAB, CHANNELS}, -1, 1));
            lnWeight = param(rng.uniform(F32, new int[] {CHANNELS}, 0.9, 1.1));
            lnBias = param(rng.uniform(F32, new int[] {CHANNELS}, -0.1, 0.1));
            wqkv = param(rng.uniform(F32, new int[] {CHANNELS, 3 * CHANNELS}, -0.5, 0.5));
            head = param(rng.uniform(F32, new int[] {CHANNELS, VOCAB}, -0.5, 0.5));
            tokens = rng.ints(I64, new int[] {BATCH, TIME}, 0, VOCAB - 1).on(backend);
            HostTensor next = rng.ints(I64, new int[] {BATCH, TIME}, 0, VOCAB - 1).with(3, FusedCases.IGNORE);
            targets = next.on(backend);
        }

        private Tensor param(HostTensor init) {
            Tensor p = init.on(backend).requiresGrad(true);
            params.add(p);
            moments.add(Tensor.on(backend).zeros(init.shape(), F32));
            moments.add(Tensor.on(backend).zeros(init.shape(), F32));
            return p;
        }

        Tensor loss() {
            int d = CHANNELS / HEADS;
            Tensor x = wte.gather(0, tokens);                                    // (B, T, C)
            Tensor h = F.layerNorm(x, lnWeight, lnBias, 1e-5);
            Tensor qkv = h.matmul(wqkv);                                          // (B, T, 3C)
            Function<Integer, Tensor> heads = i -> qkv.slice(2, i * CHANNELS, (i + 1) * CHANNELS)
                    .reshape(BATCH, TIME, HEADS, d).permute(0, 2, 1, 3);           // (B, H, T, D)
            Tensor att = F.causalAttention(heads.apply(0), heads.apply(1), heads.apply(2), 0, 0);
            Tensor merged = att.permute(0, 2, 1, 3).reshape(BATCH, TIME, CHANNELS);
            Tensor logits = F.gelu(merged.add(x), F.Gelu.TANH).matmul(head);      // (B, T, V)
            Tensor probs = F.softmax(logits);
            return F.crossEntropy(logits, targets).add(probs.square().mean().mul(0.1));
        }

        void adamWStep(int step) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                FusedOps.adamWUpdate(p, p.grad(), moments.get(2 * i), moments.get(2 * i + 1),
                        new FusedKernels.AdamWStep(1e-2, 0.9, 0.999, 1e-8, 0.01, step));
                p.zeroGrad();
            }
        }

        @Override
        public void close() {
            params.forEach(Tensor::close);
            moments.forEach(Tensor::close);
            tokens.close();
            targets.close();
        }
    }
}
