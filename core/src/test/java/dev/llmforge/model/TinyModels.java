package dev.llmforge.model;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Tensor;

/** Small configurations and helpers shared by the model-level tests (reference backend). */
public final class TinyModels {
    private TinyModels() {
    }

    public static Backend reference() {
        return Backends.get("reference");
    }

    /** GPT-2 family: vocab 11, context 8, 2 layers, 2 heads, width 8. */
    public static GptConfig gpt2() {
        return GptConfig.gpt2(11, 8, 2, 2, 8);
    }

    /** LLaMA family with grouped-query attention: 4 query heads over 2 key/value heads, RoPE, SwiGLU, RMSNorm. */
    public static GptConfig llama() {
        return GptConfig.llama(13, 8, 2, 4, 2, 16, 24);
    }

    /** Token ids (B, T) on the reference backend, from a row-major array. */
    public static Tensor ids(int b, int t, long... values) {
        return Tensor.on(reference()).of(values, b, t);
    }

    /** |a - b| <= tol everywhere; returns the max error. */
    public static double maxError(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst;
    }
}
