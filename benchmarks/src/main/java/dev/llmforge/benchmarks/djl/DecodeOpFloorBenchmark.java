package dev.llmforge.benchmarks.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.llmforge.backend.djl.DjlBackend;
import dev.llmforge.tensor.Backends;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How fast batch-1 generation with a KV cache could be on PyTorch through DJL, written directly on
 * DJL's {@code NDArray} API without llmforge: the time of each op one generated token of the
 * shakespeare-char model (4 layers, width 128, 4 heads, vocabulary 65) needs, at batch 1 and a
 * cache of 48 positions, times how often a token needs it, in the op sequence llmforge runs (the
 * cache grows by concatenation, attention scales its scores). Each op is timed alone in a tight
 * loop, on warm caches, so the sum is an optimistic floor for that sequence through DJL without any
 * framework (DJL has no fused attention or decoder op); llmforge's {@code GenerationBenchmark} can
 * be compared with it.
 *
 * <p>Then the same for the fewer, larger calls a fused decode path would make (issue 15): the residual
 * added by the output projections' matrix product (PyTorch's linear with the residual as its bias, one
 * {@code addmm}) instead of a linear and an add, and q/k/v taken from the fused projection by one split
 * instead of three slices; and what the sequence would cost with them.
 *
 * <pre>
 * java -Dllmforge.threads=1 -cp "$CP" dev.llmforge.benchmarks.djl.DecodeOpFloorBenchmark
 * </pre>
 */
public final class DecodeOpFloorBenchmark {
    private static final int WIDTH = 128;
    private static final int HEADS = 4;
    private static final int LAYERS = 4;
    private static final int CACHED = 48;
    private static final int VOCAB = 65;

    private DecodeOpFloorBenchmark() {
    }

    private record Op(String name, int perToken, Supplier<? extends AutoCloseable> run) {
    }

    public static void main(String[] args) {
        DjlBackend backend = (DjlBackend) Backends.get("djl"); // applies llmforge's DJL settings (threads, offline)
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            int headDim = WIDTH / HEADS;
            NDArray x = m.randomNormal(new Shape(1, WIDTH));
            // weights (out, in) as PyTorch's Linear keeps them, used through transposed views made once
            NDArray wAttn = m.randomNormal(new Shape(3 * WIDTH, WIDTH)).transpose();
            NDArray wOut = m.randomNormal(new Shape(WIDTH, WIDTH)).transpose();
            NDArray wFc = m.randomNormal(new Shape(4 * WIDTH, WIDTH)).transpose();
            NDArray wProj = m.randomNormal(new Shape(WIDTH, 4 * WIDTH)).transpose();
            NDArray wHead = m.randomNormal(new Shape(VOCAB, WIDTH)).transpose();
            NDArray hidden = m.randomNormal(new Shape(1, 4 * WIDTH));
            NDArray gamma = m.ones(new Shape(WIDTH));
            NDArray beta = m.zeros(new Shape(WIDTH));
            NDArray q = m.randomNormal(new Shape(1, HEADS, 1, headDim));
            NDArray keys = m.randomNormal(new Shape(1, HEADS, CACHED, headDim)); // (B, H, T, D)
            NDArray keysT = keys.transpose(0, 1, 3, 2); // (B, H, D, T)
            NDArray scores = m.randomNormal(new Shape(1, HEADS, 1, CACHED));
            NDArray newKey = m.randomNormal(new Shape(1, HEADS, 1, headDim));
            NDArray table = m.randomNormal(new Shape(VOCAB, WIDTH));
            NDArray id = m.create(new long[] {7}, new Shape(1));
            List<Op> ops = new ArrayList<>();
            ops.add(new Op("linear q/k/v (1,128)x(384,128)^T", LAYERS, () -> x.matMul(wAttn)));
            ops.add(new Op("linear (1,128)x(128,128)^T", LAYERS, () -> x.matMul(wOut)));
            ops.add(new Op("linear fc (1,128)x(512,128)^T", LAYERS, () -> x.matMul(wFc)));
            ops.add(new Op("linear proj (1,512)x(128,512)^T", LAYERS, () -> hidden.matMul(wProj)));
            ops.add(new Op("linear head (1,128)x(65,128)^T", 1, () -> x.matMul(wHead)));
            ops.add(new Op("layer norm (1,128)", 2 * LAYERS + 1,
                    () -> LayerNorm.layerNorm(x, new Shape(WIDTH), gamma, beta, 1e-5f).singletonOrThrow()));
            ops.add(new Op("gelu (1,512)", LAYERS, () -> Activation.gelu(hidden)));
            ops.add(new Op("attention q.k^T (1,4,1,32)x(1,4,48,32)^T", LAYERS, () -> q.matMul(keysT)));
            ops.add(new Op("attention scale", LAYERS, () -> scores.mul(0.17f)));
            ops.add(new Op("attention softmax (1,4,1,48)", LAYERS, () -> scores.softmax(-1)));
            ops.add(new Op("attention p.v (1,4,1,48)x(1,4,48,32)", LAYERS, () -> scores.matMul(keys)));
            ops.add(new Op("cache append (concat on T)", 2 * LAYERS, () -> NDArrays.concat(new NDList(keys, newKey), 2)));
            ops.add(new Op("residual add (1,128)", 2 * LAYERS + 1, () -> x.add(x)));
            ops.add(new Op("embedding lookup", 2, () -> table.get(id)));
            System.out.printf(Locale.ROOT, "raw DJL (NDArray API), %d PyTorch intra-op threads: the ops of one generated token%n", backend.threads());
            System.out.printf(Locale.ROOT, "%-44s %8s %10s %12s%n", "op", "µs/op", "per token", "µs/token");
            double total = 0;
            Map<String, Double> measured = new HashMap<>();
            for (Op op : ops) {
                double micros = median(op.run());
                measured.put(op.name(), micros);
                total += micros * op.perToken();
                System.out.printf(Locale.ROOT, "%-44s %8.2f %10d %12.1f%n", op.name(), micros, op.perToken(), micros * op.perToken());
            }
            System.out.printf(Locale.ROOT, "this op sequence: %.0f µs per token, at most %.0f tokens/s (sampling and host copies not counted)%n", total,
                    1e6 / total);
            fewerCalls(m, x, hidden, measured.get("residual add (1,128)"), total);
        }
    }

    /**
     * The residual folded into the output projections (8 linears and 8 adds become 8 addmm calls per token), and
     * q/k/v by one split per layer instead of three slices (not in the sequence above); prints what they save.
     */
    private static void fewerCalls(NDManager m, NDArray x, NDArray hidden, double add, double total) {
        PtNDArray wOut = (PtNDArray) m.randomNormal(new Shape(WIDTH, WIDTH)); // (out, in), as PyTorch's linear reads it
        PtNDArray wProj = (PtNDArray) m.randomNormal(new Shape(WIDTH, 4 * WIDTH));
        PtNDArray qkv = (PtNDArray) m.randomNormal(new Shape(1, 3 * HEADS, 1, WIDTH / HEADS)); // (B, 3H, 1, D)
        List<Op> ops = List.of(
                new Op("attention out, PyTorch linear", LAYERS, () -> JniUtils.linear((PtNDArray) x, wOut, null)),
                new Op("mlp proj, PyTorch linear", LAYERS, () -> JniUtils.linear((PtNDArray) hidden, wProj, null)),
                new Op("attention out + residual, one addmm", LAYERS, () -> JniUtils.linear((PtNDArray) x, wOut, (PtNDArray) x)),
                new Op("mlp proj + residual, one addmm", LAYERS, () -> JniUtils.linear((PtNDArray) hidden, wProj, (PtNDArray) x)),
                new Op("q/k/v by three slices (one of them)", 3 * LAYERS, () -> JniUtils.slice(qkv, 1, HEADS, 2 * HEADS, 1)),
                new Op("q/k/v by one split", LAYERS, () -> JniUtils.split(qkv, HEADS, 1)));
        System.out.printf(Locale.ROOT, "%nfewer, larger calls:%n");
        double[] us = new double[ops.size()];
        for (int i = 0; i < us.length; i++) {
            us[i] = median(ops.get(i).run());
            System.out.printf(Locale.ROOT, "%-44s %8.2f %10d %12.1f%n", ops.get(i).name(), us[i], ops.get(i).perToken(), us[i] * ops.get(i).perToken());
        }
        double residualSaves = LAYERS * (us[0] + us[1] + 2 * add) - LAYERS * (us[2] + us[3]);
        double splitSaves = 3 * LAYERS * us[4] - LAYERS * us[5];
        System.out.printf(Locale.ROOT, "the residual in the projections saves %.1f µs per token, one split instead of three slices %.1f µs "
                + "(the sequence above with the residual folded in: %.0f µs, at most %.0f tokens/s)%n", residualSaves, splitSaves,
                total - residualSaves, 1e6 / (total - residualSaves));
    }

    /** Median µs of one call over 15 rounds of 2,000 (after 3,000 warm-up calls); each result is closed at once. */
    private static double median(Supplier<? extends AutoCloseable> op) {
        for (int i = 0; i < 3_000; i++) {
            close(op.get());
        }
        double[] rounds = new double[15];
        for (int r = 0; r < rounds.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 2_000; i++) {
                close(op.get());
            }
            rounds[r] = (System.nanoTime() - t0) / 1e3 / 2_000;
        }
        java.util.Arrays.sort(rounds);
        return rounds[rounds.length / 2];
    }

    private static void close(AutoCloseable result) {
        try {
            result.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
