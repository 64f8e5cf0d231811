package dev.llmforge.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.nn.FeedForward.Activation;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayersTest {
    private final Backend backend = Backends.get("reference");
    private final TensorFactory t = Tensor.on(backend);

    private Init init(long seed) {
        return new Init(t, DType.F32, seed);
    }

    @Test
    void linearComputesXWTransposePlusBiasForAnyLeadingShape() {
        try (Linear lin = new Linear(init(1), 3, 2, true, 0.5); TensorScope ignored = TensorScope.open()) {
            float[] w = lin.weight().toFloatArray(); // (2, 3)
            lin.loadParameters(Map.of("weight", lin.weight().detach().mul(1.0), "bias", t.of(new float[] {0.5f, -1}, 2)));
            float[] x = {1, 2, 3, -1, 0, 2, 4, 4, 4, 0, 1, 0};
            Tensor y = lin.forward(t.of(x, 2, 2, 3)); // (2, 2, 3) -> (2, 2, 2)
            assertEquals(Shape.of(2, 2, 2), y.shape());
            float[] got = y.toFloatArray();
            for (int row = 0; row < 4; row++) {
                for (int o = 0; o < 2; o++) {
                    double want = o == 0 ? 0.5 : -1;
                    for (int i = 0; i < 3; i++) {
                        want += x[row * 3 + i] * w[o * 3 + i];
                    }
                    assertEquals(want, got[row * 2 + o], 1e-6);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> lin.forward(t.of(new float[4], 1, 4)));
        }
    }

    @Test
    void linearGradientsHaveTheParameterShapes() {
        try (Linear lin = new Linear(init(2), 4, 3, true, 0.1); TensorScope ignored = TensorScope.open()) {
            lin.forward(t.randn(Shape.of(2, 5, 4), DType.F32, 3)).sum().backward();
            assertEquals(Shape.of(3, 4), lin.weight().grad().shape());
            assertArrayEquals(new float[] {10, 10, 10}, lin.bias().grad().toFloatArray(), 1e-6f, "d(sum)/d(bias) counts the rows");
        }
    }

    @Test
    void embeddingLooksUpRows() {
        try (Embedding e = new Embedding(init(3), 5, 2, 1); TensorScope ignored = TensorScope.open()) {
            float[] w = e.weight().toFloatArray();
            float[] got = e.forward(t.of(new long[] {4, 0, 4}, 1, 3)).toFloatArray();
            assertArrayEquals(new float[] {w[8], w[9], w[0], w[1], w[8], w[9]}, got);
        }
    }

    @Test
    void rmsNormMatchesItsFormula() {
        try (RmsNorm n = new RmsNorm(init(4), 3, 1e-5); TensorScope ignored = TensorScope.open()) {
            float[] x = {1, -2, 3, 0.5f, 0.5f, -0.5f};
            float[] got = n.forward(t.of(x, 2, 3)).toFloatArray();
            for (int r = 0; r < 2; r++) {
                double ms = 0;
                for (int i = 0; i < 3; i++) {
                    ms += x[r * 3 + i] * x[r * 3 + i] / 3.0;
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(x[r * 3 + i] / Math.sqrt(ms + 1e-5), got[r * 3 + i], 1e-5);
                }
            }
        }
    }

    @Test
    void layerNormWithoutBiasHasOnlyAScale() {
        try (LayerNorm n = new LayerNorm(init(5), 4, 1e-5, false)) {
            assertEquals(java.util.List.of("weight"), java.util.List.copyOf(n.namedParameters().keySet()));
        }
    }

    @Test
    void swiGluIsDownOfSiluGateTimesUp() {
        try (FeedForward ff = new FeedForward(init(6), 2, 3, Activation.SWIGLU, false, 0.7, 0.7, 0, 0);
             TensorScope ignored = TensorScope.open()) {
            float[] g = ff.parameter("gate_proj.weight").toFloatArray(); // (3, 2)
            float[] u = ff.parameter("up_proj.weight").toFloatArray(); // (3, 2)
            float[] d = ff.parameter("down_proj.weight").toFloatArray(); // (2, 3)
            float[] x = {0.3f, -1.2f};
            float[] got = ff.forward(t.of(x, 1, 2)).toFloatArray();
            double[] h = new double[3];
            for (int j = 0; j < 3; j++) {
                double a = g[2 * j] * x[0] + g[2 * j + 1] * x[1];
                double b = u[2 * j] * x[0] + u[2 * j + 1] * x[1];
                h[j] = a / (1 + Math.exp(-a)) * b;
            }
            for (int o = 0; o < 2; o++) {
                assertEquals(d[3 * o] * h[0] + d[3 * o + 1] * h[1] + d[3 * o + 2] * h[2], got[o], 1e-6);
            }
        }
    }

    @Test
    void dropoutIsSeededAndOffInEvalMode() {
        try (TensorScope ignored = TensorScope.open()) {
            Tensor x = t.ones(Shape.of(1000), DType.F32);
            Dropout a = new Dropout(0.25, 9);
            Dropout b = new Dropout(0.25, 9);
            float[] first = a.forward(x).toFloatArray();
            assertArrayEquals(first, b.forward(x).toFloatArray(), "same seed, same mask");
            assertFalse(java.util.Arrays.equals(first, a.forward(x).toFloatArray()), "each call draws a new mask");
            int zeros = 0;
            for (float v : first) {
                assertTrue(v == 0 || Math.abs(v - 1 / 0.75) < 1e-6, "kept values are scaled by 1/(1-p): " + v);
                zeros += v == 0 ? 1 : 0;
            }
            assertEquals(250, zeros, 60);
            a.eval();
            assertArrayEquals(x.toFloatArray(), a.forward(x).toFloatArray());
        }
    }

    @Test
    void groupedQueryAttentionOfOnePositionReturnsEachGroupsValue() {
        // with a single position, softmax over one key is 1: head h outputs v of kv head h / (H / Hkv)
        int dim = 8;
        try (CausalSelfAttention attn = new CausalSelfAttention(init(7), 0, dim, 4, 2, false, 0.5, 0.5, 0, 0);
             TensorScope ignored = TensorScope.open()) {
            attn.eval();
            float[] x = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f};
            float[] w = attn.parameter("c_attn.weight").toFloatArray(); // ((4 + 2 + 2) * 2, 8)
            float[] wo = attn.parameter("c_proj.weight").toFloatArray(); // (8, 8)
            double[] merged = new double[dim];
            for (int h = 0; h < 4; h++) {
                int kvHead = h / 2;
                for (int e = 0; e < 2; e++) {
                    int row = (4 + 2 + kvHead) * 2 + e; // the v rows come after 4 q heads and 2 k heads
                    double v = 0;
                    for (int i = 0; i < dim; i++) {
                        v += w[row * dim + i] * x[i];
                    }
                    merged[h * 2 + e] = v;
                }
            }
            float[] got = attn.forward(t.of(x, 1, dim), new ForwardContext(1, null, null, null, null)).toFloatArray();
            for (int o = 0; o < dim; o++) {
                double want = 0;
                for (int i = 0; i < dim; i++) {
                    want += wo[o * dim + i] * merged[i];
                }
                assertEquals(want, got[o], 1e-5);
            }
        }
    }

    @Test
    void ropeRotatesInterleavedAndHalfPairsByPositionAngles() {
        int d = 4;
        float[] x = {1, 2, 3, 4};
        for (RotaryEmbedding.Style style : RotaryEmbedding.Style.values()) {
            try (RotaryEmbedding rope = new RotaryEmbedding(t, DType.F32, d, 8, 100, style); TensorScope ignored = TensorScope.open()) {
                float[] got = rope.apply(t.of(x, 1, 1, 1, d), rope.tables(5, 1)).toFloatArray(); // position 5
                for (int j = 0; j < d / 2; j++) {
                    int a = style == RotaryEmbedding.Style.INTERLEAVED ? 2 * j : j;
                    int b = style == RotaryEmbedding.Style.INTERLEAVED ? 2 * j + 1 : j + d / 2;
                    double angle = 5 * Math.pow(100, -2.0 * j / d);
                    assertEquals(x[a] * Math.cos(angle) - x[b] * Math.sin(angle), got[a], 1e-5, style + " pair " + j);
                    assertEquals(x[a] * Math.sin(angle) + x[b] * Math.cos(angle), got[b], 1e-5, style + " pair " + j);
                }
                assertThrows(IllegalArgumentException.class, () -> rope.tables(7, 2), "beyond the table");
            }
        }
    }

    @Test
    void moduleTreeNamesAndLoadsParametersStrictly() {
        try (Block block = new Block(new LayerNorm(init(8), 4, 1e-5, true),
                new CausalSelfAttention(init(8), 0, 4, 2, 2, true, 0.02, 0.01, 0, 0),
                new LayerNorm(init(8), 4, 1e-5, true),
                new FeedForward(init(8), 4, 16, Activation.GELU_TANH, true, 0.02, 0.01, 0, 0))) {
            Map<String, Tensor> p = block.namedParameters();
            assertEquals(12, p.size());
            assertNotNull(p.get("attn.c_attn.bias"));
            assertNotNull(p.get("mlp.c_fc.weight"));
            assertEquals(4 + 4 + 12 * 4 + 12 + 4 * 4 + 4 + 4 + 4 + 16 * 4 + 16 + 4 * 16 + 4, block.parameterCount());
            block.eval();
            assertFalse(block.mlp().isTraining(), "eval() reaches every descendant");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> block.loadParameters(Map.of("ln_1.weight", t.ones(Shape.of(5), DType.F32))));
            assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("ln_1.weight: expected [4]"), e.getMessage());
        }
    }

    @Test
    void closingAModuleFreesItsTensors() {
        long before = backend.liveTensorCount();
        Linear lin = new Linear(init(9), 3, 3, true, 0.02);
        assertEquals(before + 2, backend.liveTensorCount());
        lin.close();
        assertEquals(before, backend.liveTensorCount());
        assertTrue(lin.weight().isClosed());
    }
}
