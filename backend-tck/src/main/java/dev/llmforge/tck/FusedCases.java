package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.FusedOp;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fused operations on small inputs, each with its definition written in the kit from
 * primitives (so a fused kernel, native or core's default, is checked against core's primitive
 * semantics and their backward rules).
 */
final class FusedCases {
    static final double LAYER_NORM_EPS = 1e-5;
    static final long IGNORE = -100;

    private FusedCases() {
    }

    /**
     * One fused-op case: {@code inputs[i]} is differentiated when {@code differentiable[i]}.
     * Auxiliary host tensors (masks, weights) are captured by the functions.
     */
    record Case(String name, FusedOp op, List<HostTensor> inputs, boolean[] differentiable, TensorOp fused, TensorOp definition,
                KernelPair kernels) {
    }

    /** The case's forward kernel on raw handles (aligned with the inputs), told whether its backward follows. */
    @FunctionalInterface
    interface KernelForward {
        FusedKernels.Result apply(FusedKernels f, List<NativeTensor> in, boolean backwardFollows);
    }

    /** The case's backward kernel on raw handles; results aligned with the inputs (null where none). */
    @FunctionalInterface
    interface KernelBackward {
        NativeTensor[] apply(FusedKernels f, List<NativeTensor> in, FusedKernels.Result forward, NativeTensor gradOut);
    }

    /** Direct calls of a fused pair, for checks below core's autograd. */
    record KernelPair(KernelForward forward, KernelBackward backward) {
    }

    /** Every case, with floating inputs of {@code dtype}. */
    static List<Case> all(DType dtype) {
        List<Case> cases = new ArrayList<>();
        cases.add(crossEntropy("softmaxCrossEntropy (6, 5), I64 targets, 2 ignored", dtype, 5, DType.I64, 3, IGNORE, 0, 4, IGNORE, 1));
        cases.add(crossEntropy("softmaxCrossEntropy (4, 7), I32 targets", dtype, 7, DType.I32, 6, 0, 3, 3));
        cases.add(crossEntropy("softmaxCrossEntropy (3, 4), every target ignored", dtype, 4, DType.I64, IGNORE, IGNORE, IGNORE));
        cases.add(layerNorm("layerNorm (2, 3, 6) with weight and bias", dtype, new int[] {2, 3, 6}, true, true));
        cases.add(layerNorm("layerNorm (4, 5) without weight or bias", dtype, new int[] {4, 5}, false, false));
        cases.add(layerNorm("layerNorm (3, 4) with weight only", dtype, new int[] {3, 4}, true, false));
        cases.add(gelu("gelu exact (3, 7)", dtype, false));
        cases.add(gelu("gelu tanh (3, 7)", dtype, true));
        cases.add(softmax("softmax (2, 3, 5)", dtype, 2, 3, 5));
        cases.add(softmax("softmax (7)", dtype, 7));
        cases.add(attention("causalAttention (2, 2, 4, 3), Tq = Tk = 4", dtype, 2, 2, 4, 4, 3));
        cases.add(attention("causalAttention (1, 2, Tq 2, 3) over Tk 5", dtype, 1, 2, 2, 5, 3));
        cases.add(attention("causalAttention (2, 1, Tq 1, 4) over Tk 4 (KV-cache step)", dtype, 2, 1, 1, 4, 4));
        return cases;
    }

    // ---- cases --------------------------------------------------------------------------------------------

    private static Case crossEntropy(String name, DType dtype, int classes, DType targetType, long... targets) {
        int n = targets.length;
        Rng rng = new Rng(name);
        HostTensor logits = rng.uniform(dtype, new int[] {n, classes}, -3, 3);
        double[] t = new double[n];
        double[] oneHot = new double[n * classes];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            t[i] = targets[i];
            if (targets[i] != IGNORE) {
                oneHot[i * classes + (int) targets[i]] = 1;
                kept++;
            }
        }
        double[] weight = new double[n]; // 1 / (number of kept targets) on kept rows, 0 on ignored ones
        for (int i = 0; i < n; i++) {
            weight[i] = targets[i] == IGNORE ? 0 : 1.0 / kept;
        }
        HostTensor mask = HostTensor.of(DType.BOOL, new int[] {n, classes}, oneHot);
        HostTensor rowWeight = HostTensor.of(DType.F64, new int[] {n, 1}, weight);
        return new Case(name, FusedOp.SOFTMAX_CROSS_ENTROPY, List.of(logits, HostTensor.of(targetType, new int[] {n}, t)),
                new boolean[] {true, false},
                xs -> FusedOps.softmaxCrossEntropy(xs.get(0), xs.get(1), IGNORE),
                xs -> {
                    Tensor x = xs.get(0);
                    Tensor picked = mask.on(x.backend()).where(logSoftmax(x), x.scalarLike(0)); // (N, V)
                    return picked.mul(rowWeight.as(x.dtype()).on(x.backend())).sum().neg();
                },
                new KernelPair((f, in, backward) -> f.softmaxCrossEntropy(in.get(0), in.get(1), IGNORE, backward),
                        (f, in, r, g) -> new NativeTensor[] {f.softmaxCrossEntropyBackward(in.get(0), in.get(1), IGNORE, r, g), null}));
    }

    private static Case layerNorm(String name, DType dtype, int[] dims, boolean withWeight, boolean withBias) {
        Rng rng = new Rng(name);
        int c = dims[dims.length - 1];
        List<HostTensor> inputs = new ArrayList<>();
        inputs.add(rng.uniform(dtype, dims, -2, 2));
        if (withWeight) {
            inputs.add(rng.uniform(dtype, new int[] {c}, 0.5, 1.5));
        }
        if (withBias) {
            inputs.add(rng.uniform(dtype, new int[] {c}, -0.5, 0.5));
        }
        boolean[] diff = new boolean[inputs.size()];
        Arrays.fill(diff, true);
        return new Case(name, FusedOp.LAYER_NORM, inputs, diff,
                xs -> FusedOps.layerNorm(xs.get(0), withWeight ? xs.get(1) : null, withBias ? xs.get(xs.size() - 1) : null, LAYER_NORM_EPS),
                xs -> {
                    Tensor x = xs.get(0);
                    int[] last = {x.rank() - 1};
                    Tensor centered = x.sub(x.mean(last, true));
                    Tensor variance = centered.square().mean(last, true);
                    Tensor y = centered.div(variance.add(LAYER_NORM_EPS).sqrt());
                    if (withWeight) {
                        y = y.mul(xs.get(1));
                    }
                    return withBias ? y.add(xs.get(xs.size() - 1)) : y;
                },
                new KernelPair(
                        (f, in, backward) -> f.layerNorm(in.get(0), withWeight ? in.get(1) : null, withBias ? in.get(in.size() - 1) : null,
                                LAYER_NORM_EPS, backward),
                        (f, in, r, g) -> layerNormBackward(f, in, r, g, withWeight, withBias)));
    }

    private static Case gelu(String name, DType dtype, boolean tanh) {
        HostTensor x = new Rng(name).uniform(dtype, new int[] {3, 7}, -4, 4);
        return new Case(name, FusedOp.GELU, List.of(x), new boolean[] {true},
                xs -> FusedOps.gelu(xs.get(0), tanh),
                xs -> {
                    Tensor v = xs.get(0);
                    Tensor inner = tanh
                            ? v.add(v.square().mul(v).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh()
                            : v.mul(1 / Math.sqrt(2)).erf();
                    return v.mul(inner.add(1)).mul(0.5);
                },
                new KernelPair((f, in, backward) -> f.gelu(in.get(0), tanh, backward),
                        (f, in, r, g) -> new NativeTensor[] {f.geluBackward(in.get(0), tanh, r, g)}));
    }

    private static Case softmax(String name, DType dtype, int... dims) {
        HostTensor x = new Rng(name).uniform(dtype, dims, -3, 3);
        return new Case(name, FusedOp.SOFTMAX, List.of(x), new boolean[] {true},
                xs -> FusedOps.softmax(xs.get(0)),
                xs -> softmaxOf(xs.get(0)),
                new KernelPair((f, in, backward) -> f.softmax(in.get(0), backward), (f, in, r, g) -> new NativeTensor[] {f.softmaxBackward(r, g)}));
    }

    private static Case attention(String name, DType dtype, int b, int h, int tq, int tk, int d) {
        Rng rng = new Rng(name);
        HostTensor q = rng.uniform(dtype, new int[] {b, h, tq, d}, -1.5, 1.5);
        HostTensor k = rng.uniform(dtype, new int[] {b, h, tk, d}, -1.5, 1.5);
        HostTensor v = rng.uniform(dtype, new int[] {b, h, tk, d}, -1.5, 1.5);
        double scale = 1 / Math.sqrt(d);
        double[] allowed = new double[tq * tk];
        for (int i = 0; i < tq; i++) {
            for (int j = 0; j <= tk - tq + i; j++) {
                allowed[i * tk + j] = 1; // query i sits at position tk - tq + i
            }
        }
        HostTensor mask = HostTensor.of(DType.BOOL, new int[] {tq, tk}, allowed);
        return new Case(name, FusedOp.CAUSAL_ATTENTION, List.of(q, k, v), new boolean[] {true, true, true},
                xs -> FusedOps.causalAttention(xs.get(0), xs.get(1), xs.get(2), scale),
                xs -> {
                    Tensor scores = xs.get(0).matmul(xs.get(1), false, true).mul(scale); // (B, H, Tq, Tk)
                    Tensor masked = mask.on(scores.backend()).where(scores, scores.scalarLike(Double.NEGATIVE_INFINITY));
                    return softmaxOf(masked).matmul(xs.get(2));
                },
                new KernelPair((f, in, backward) -> f.causalAttention(in.get(0), in.get(1), in.get(2), scale, backward),
                        (f, in, r, g) -> f.causalAttentionBackward(in.get(0), in.get(1), in.get(2), scale, r, g)));
    }

    /** {dx, dweight, dbias} reduced to the inputs present; a gradient for an absent parameter is an error. */
    private static NativeTensor[] layerNormBackward(FusedKernels f, List<NativeTensor> in, FusedKernels.Result r, NativeTensor g,
                                                    boolean withWeight, boolean withBias) {
        NativeTensor weight = withWeight ? in.get(1) : null;
        NativeTensor bias = withBias ? in.get(in.size() - 1) : null;
        NativeTensor[] d = f.layerNormBackward(in.get(0), weight, bias, LAYER_NORM_EPS, r, g);
        assertEquals(3, d.length, "layerNormBackward returns {dx, dweight, dbias}");
        assertTrue(withWeight || d[1] == null, "layerNormBackward returned a weight gradient without a weight (core would never close it)");
        assertTrue(withBias || d[2] == null, "layerNormBackward returned a bias gradient without a bias (core would never close it)");
        List<NativeTensor> aligned = new ArrayList<>();
        aligned.add(d[0]);
        if (withWeight) {
            aligned.add(d[1]);
        }
        if (withBias) {
            aligned.add(d[2]);
        }
        return aligned.toArray(new NativeTensor[0]);
    }

    // ---- definitions from primitives ------------------------------------------------------------------------

    static Tensor softmaxOf(Tensor x) {
        int[] last = {x.rank() - 1};
        Tensor e = x.sub(x.max(last, true).detach()).exp();
        return e.div(e.sum(last, true));
    }

    static Tensor logSoftmax(Tensor x) {
        int[] last = {x.rank() - 1};
        Tensor shifted = x.sub(x.max(last, true).detach());
        return shifted.sub(shifted.exp().sum(last, true).log());
    }
}
