package dev.llmforge.model;

import static dev.llmforge.model.TinyModels.ids;
import static dev.llmforge.model.TinyModels.maxError;
import static dev.llmforge.model.TinyModels.reference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.nn.KvCache;
import dev.llmforge.optim.AdamW;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GptTest {

    @Test
    void parameterNamesFollowHuggingFaceGpt2() {
        try (Gpt m = new Gpt(TinyModels.gpt2(), reference(), 1)) {
            Map<String, Tensor> p = m.namedParameters();
            assertEquals(List.of("wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.ln_1.bias", "h.0.attn.c_attn.weight",
                    "h.0.attn.c_attn.bias", "h.0.attn.c_proj.weight", "h.0.attn.c_proj.bias", "h.0.ln_2.weight", "h.0.ln_2.bias",
                    "h.0.mlp.c_fc.weight", "h.0.mlp.c_fc.bias", "h.0.mlp.c_proj.weight", "h.0.mlp.c_proj.bias"),
                    List.copyOf(p.keySet()).subList(0, 14));
            assertTrue(p.containsKey("ln_f.bias"));
            assertFalse(p.containsKey("lm_head.weight"), "the head is tied to wte");
            assertEquals(Shape.of(24, 8), p.get("h.1.attn.c_attn.weight").shape(), "c_attn is (3C, C): stored (out, in)");
            assertEquals(Shape.of(32, 8), p.get("h.1.mlp.c_fc.weight").shape());
        }
    }

    @Test
    void llamaFamilyHasGroupedQueryProjectionAndSwiGlu() {
        try (Gpt m = new Gpt(TinyModels.llama(), reference(), 1)) {
            Map<String, Tensor> p = m.namedParameters();
            // 4 query heads + 2 key + 2 value heads of width 4
            assertEquals(Shape.of((4 + 2 + 2) * 4, 16), p.get("h.0.attn.c_attn.weight").shape());
            assertEquals(Set.of("wte.weight", "h.0.ln_1.weight", "h.0.attn.c_attn.weight", "h.0.attn.c_proj.weight", "h.0.ln_2.weight",
                    "h.0.mlp.gate_proj.weight", "h.0.mlp.up_proj.weight", "h.0.mlp.down_proj.weight"),
                    new HashSet<>(List.copyOf(p.keySet()).subList(0, 8)));
            assertNull(p.get("wpe.weight"), "RoPE models have no learned positions");
        }
    }

    @Test
    void initialisationIsSeededGpt2Style() {
        GptConfig cfg = GptConfig.gpt2(50, 16, 4, 2, 64);
        try (Gpt a = new Gpt(cfg, reference(), 7); Gpt b = new Gpt(cfg, reference(), 7); Gpt c = new Gpt(cfg, reference(), 8)) {
            float[] wa = a.parameter("h.0.mlp.c_fc.weight").toFloatArray();
            assertArrayEquals(wa, b.parameter("h.0.mlp.c_fc.weight").toFloatArray(), "same seed, same weights");
            assertFalse(Arrays.equals(wa, c.parameter("h.0.mlp.c_fc.weight").toFloatArray()), "another seed differs");
            assertEquals(0.02, std(wa), 0.002);
            assertEquals(0.02 / Math.sqrt(2 * 4), std(a.parameter("h.2.mlp.c_proj.weight").toFloatArray()), 0.001);
            assertEquals(0.02 / Math.sqrt(2 * 4), std(a.parameter("h.3.attn.c_proj.weight").toFloatArray()), 0.001);
            assertEquals(0, maxAbs(a.parameter("h.0.attn.c_attn.bias").toFloatArray()));
            assertEquals(1, a.parameter("h.1.ln_2.weight").toFloatArray()[5]);
        }
    }

    @Test
    void logitsHaveOneRowPerPositionAndLossIgnoresMaskedTargets() {
        try (Gpt m = new Gpt(TinyModels.gpt2(), reference(), 3); TensorScope ignored = TensorScope.open()) {
            Tensor x = ids(2, 3, 1, 2, 3, 4, 5, 6);
            Gpt.Output out = m.forward(x, ids(2, 3, 2, 3, -1, -1, -1, -1), -1);
            assertEquals(Shape.of(2, 3, 11), out.logits().shape());
            float[] l = out.logits().toFloatArray();
            // hand cross-entropy over the two kept targets (row 0 positions 0 and 1)
            double expected = (nll(l, 0, 2) + nll(l, 1, 3)) / 2;
            assertEquals(expected, out.loss().item(), 1e-5);
        }
    }

    @Test
    void kvCacheLogitsEqualFullRecomputation() {
        for (GptConfig cfg : List.of(TinyModels.gpt2(), TinyModels.llama())) {
            for (boolean fixedSize : new boolean[] {false, true}) {
                String what = cfg.positions() + (fixedSize ? ", fixed-size cache" : ", growing cache");
                try (Gpt m = new Gpt(cfg, reference(), 11); KvCache cache = fixedSize ? m.newFixedSizeCache() : m.newCache();
                     TensorScope ignored = TensorScope.open()) {
                    long[] seq = {3, 1, 4, 1, 5, 9, 2, 6};
                    float[] fromCache = m.nextTokenLogits(ids(1, 3, 3, 1, 4), cache).toFloatArray();
                    float[] full = lastRow(m, seq, 3);
                    assertTrue(maxError(fromCache, full) < 1e-5, what + ": prefill");
                    fromCache = m.nextTokenLogits(ids(1, 2, 1, 5), cache).toFloatArray(); // two positions in the middle
                    full = lastRow(m, seq, 5);
                    assertTrue(maxError(fromCache, full) < 1e-5, what + ": two positions at once");
                    for (int t = 5; t < seq.length; t++) {
                        fromCache = m.nextTokenLogits(ids(1, 1, seq[t]), cache).toFloatArray();
                        full = lastRow(m, seq, t + 1);
                        assertTrue(maxError(fromCache, full) < 1e-5, what + " step " + t + ": " + maxError(fromCache, full));
                    }
                    assertEquals(8, cache.length());
                    assertThrows(IllegalArgumentException.class, () -> m.nextTokenLogits(ids(1, 1, 0), cache), "context is full");
                }
            }
        }
    }

    @Test
    void causalPredictionsIgnoreLaterTokens() {
        try (Gpt m = new Gpt(TinyModels.llama(), reference(), 5); TensorScope ignored = TensorScope.open()) {
            float[] a = m.logits(ids(1, 4, 1, 2, 3, 4)).toFloatArray();
            float[] b = m.logits(ids(1, 4, 1, 2, 7, 8)).toFloatArray();
            int v = 13;
            assertTrue(maxError(Arrays.copyOf(a, 2 * v), Arrays.copyOf(b, 2 * v)) == 0);
            assertTrue(maxError(Arrays.copyOfRange(a, 2 * v, 3 * v), Arrays.copyOfRange(b, 2 * v, 3 * v)) > 1e-4);
        }
    }

    @Test
    void trainingRunsTheFusedKernelsForwardAndBackward() {
        Set<String> ops = new HashSet<>();
        try (Gpt m = new Gpt(TinyModels.gpt2(), reference(), 3); TensorScope ignored = TensorScope.open();
             Dispatch.Restore observing = Dispatch.observe((op, backend, nanos) -> ops.add(op))) {
            m.forward(ids(1, 4, 1, 2, 3, 4), ids(1, 4, 2, 3, 4, 5), -1).loss().backward();
        }
        for (String op : List.of("layerNorm", "gelu", "causalAttention", "softmaxCrossEntropy")) {
            assertTrue(ops.contains("fused." + op), op + " forward is fused: " + ops);
            assertTrue(ops.contains("fused." + op + "Backward"), op + " backward is fused: " + ops);
        }
    }

    @Test
    void aFewAdamWStepsFitOneBatch() {
        GptConfig cfg = TinyModels.llama();
        try (Gpt m = new Gpt(cfg, reference(), 2)) {
            AdamW opt = AdamW.builder(m.namedParameters()).lr(1e-2).weightDecay(0).build();
            Tensor x = ids(1, 6, 1, 2, 3, 4, 5, 6).detachFromScope();
            Tensor y = ids(1, 6, 2, 3, 4, 5, 6, 7).detachFromScope();
            double first = 0;
            double last = 0;
            for (int i = 0; i < 15; i++) {
                try (TensorScope ignored = TensorScope.open()) {
                    opt.zeroGrad();
                    Tensor loss = m.loss(x, y);
                    last = loss.item();
                    first = i == 0 ? last : first;
                    loss.backward();
                    opt.step();
                }
            }
            assertTrue(last < first * 0.7, "loss " + first + " -> " + last);
            opt.close();
            x.close();
            y.close();
        }
    }

    @Test
    void badInputIsRejectedWithTheShapes() {
        try (Gpt m = new Gpt(TinyModels.gpt2(), reference(), 3); TensorScope ignored = TensorScope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.logits(ids(1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            assertTrue(e.getMessage().contains("exceeds the model's context of 8"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> m.logits(ids(1, 2, 0, 11)));
            assertThrows(IllegalArgumentException.class, () -> m.logits(Tensor.on(reference()).of(new long[] {1, 2}, 2)));
        }
    }

    private static float[] lastRow(Gpt m, long[] seq, int n) {
        float[] all = m.logits(ids(1, n, Arrays.copyOf(seq, n))).toFloatArray();
        int v = m.config().vocabSize();
        return Arrays.copyOfRange(all, (n - 1) * v, n * v);
    }

    private static double nll(float[] logits, int row, int target) {
        int v = 11;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            max = Math.max(max, logits[row * v + i]);
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            sum += Math.exp(logits[row * v + i] - max);
        }
        return -(logits[row * v + target] - max - Math.log(sum));
    }

    private static double std(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s / v.length);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void aNanDropoutIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptConfig.shakespeareChar(65).toBuilder().dropout(Double.NaN).build());
        assertTrue(e.getMessage().contains("dropout must be in [0, 1), got NaN"), e.getMessage());
    }
}
