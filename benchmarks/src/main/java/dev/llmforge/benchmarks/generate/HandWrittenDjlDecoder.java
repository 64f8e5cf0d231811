package dev.llmforge.benchmarks.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.llmforge.model.Gpt;
import dev.llmforge.model.GptConfig;
import dev.llmforge.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The baseline for batch-1 generation: the same GPT (learned positions, LayerNorm without bias,
 * exact GELU, tied head) decoded greedily with a KV cache written by hand on DJL's {@code NDArray}
 * API, as a Java user would without llmforge: DJL's functional linear, layer norm and GELU, q/k/v
 * by one {@code split}, the cache grown by {@code concat}, each token's arrays in a sub-manager.
 * It takes its weights from an llmforge {@link Gpt}, so both decode the same model. Beyond the
 * context it restarts the cache from the last half of it, as llmforge's generator does.
 */
final class HandWrittenDjlDecoder implements AutoCloseable {
    private final GptConfig config;
    private final NDManager root;
    private final NDArray wte;
    private final NDArray wpe;
    private final NDArray zeroBias;
    private final NDArray[] ln1;
    private final NDArray[] ln2;
    private final NDArray[] attn;
    private final NDArray[] attnProj;
    private final NDArray[] fc;
    private final NDArray[] mlpProj;
    private final NDArray lnF;

    HandWrittenDjlDecoder(Gpt model) {
        this.config = model.config();
        if (config.bias() || config.nKvHead() != config.nHead() || !config.tieWeights()) {
            throw new IllegalArgumentException("the hand-written decoder covers the shakespeare-char shape only (no biases, tied head, "
                    + "as many key/value heads as query heads)");
        }
        this.root = NDManager.newBaseManager("PyTorch");
        Map<String, Tensor> p = model.namedParameters();
        int layers = config.nLayer();
        wte = copy(p.get("wte.weight"));
        wpe = copy(p.get("wpe.weight"));
        zeroBias = root.zeros(new Shape(config.nEmbd()));
        ln1 = new NDArray[layers];
        ln2 = new NDArray[layers];
        attn = new NDArray[layers];
        attnProj = new NDArray[layers];
        fc = new NDArray[layers];
        mlpProj = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            String h = "h." + l + ".";
            ln1[l] = copy(p.get(h + "ln_1.weight"));
            ln2[l] = copy(p.get(h + "ln_2.weight"));
            attn[l] = copy(p.get(h + "attn.c_attn.weight"));
            attnProj[l] = copy(p.get(h + "attn.c_proj.weight"));
            fc[l] = copy(p.get(h + "mlp.c_fc.weight"));
            mlpProj[l] = copy(p.get(h + "mlp.c_proj.weight"));
        }
        lnF = copy(p.get("ln_f.weight"));
    }

    private NDArray copy(Tensor t) {
        long[] dims = new long[t.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.dim(i);
        }
        return root.create(t.toFloatArray(), new Shape(dims));
    }

    /** Greedy decoding of {@code newTokens} tokens after {@code prompt}; returns the new tokens. */
    int[] generate(int[] prompt, int newTokens) {
        int block = config.blockSize();
        int[] context = Arrays.copyOf(prompt, prompt.length + newTokens);
        int length = prompt.length;
        int fed = 0; // context tokens already in the cache
        int cached = 0; // positions in the cache
        NDManager cacheManager = root.newSubManager();
        NDArray[] keys = new NDArray[config.nLayer()];
        NDArray[] values = new NDArray[config.nLayer()];
        try {
            for (int i = 0; i < newTokens; i++) {
                if (cached + (length - fed) > block) { // restart from the last half of the context
                    cacheManager.close();
                    cacheManager = root.newSubManager();
                    Arrays.fill(keys, null);
                    Arrays.fill(values, null);
                    cached = 0;
                    fed = Math.max(0, length - Math.max(1, block / 2));
                }
                int[] feed = Arrays.copyOfRange(context, fed, length);
                try (NDManager step = cacheManager.newSubManager()) {
                    context[length] = argmax(forward(step, cacheManager, feed, cached, keys, values));
                }
                cached += feed.length;
                fed = length;
                length++;
            }
        } finally {
            cacheManager.close();
        }
        return Arrays.copyOfRange(context, prompt.length, length);
    }

    /** Feeds {@code ids} at positions {@code start..}; grows the cache; returns the last position's logits. */
    private float[] forward(NDManager step, NDManager cacheManager, int[] ids, int start, NDArray[] keys, NDArray[] values) {
        int t = ids.length;
        int c = config.nEmbd();
        int heads = config.nHead();
        int d = c / heads;
        NDArray idx = step.create(ids);
        NDArray x = wte.get(idx).add(wpe.get(start + ":" + (start + t))); // (T, C)
        for (int l = 0; l < config.nLayer(); l++) {
            NDArray h = LayerNorm.layerNorm(x, new Shape(c), ln1[l], zeroBias, 1e-5f).singletonOrThrow();
            NDList qkv = Linear.linear(h, attn[l]).singletonOrThrow().reshape(t, 3 * heads, d).transpose(1, 0, 2).split(3, 0); // 3 × (H, T, D)
            NDArray k = qkv.get(1);
            NDArray v = qkv.get(2);
            if (keys[l] != null) {
                k = keys[l].concat(k, 1);
                v = values[l].concat(v, 1);
            }
            k.attach(cacheManager);
            v.attach(cacheManager);
            keys[l] = k;
            values[l] = v;
            NDArray scores = qkv.get(0).matMul(k.transpose(0, 2, 1)).mul(1 / Math.sqrt(d)); // (H, T, L)
            if (t > 1) {
                scores = scores.add(causalMask(step, t, start));
            }
            NDArray y = scores.softmax(-1).matMul(v).transpose(1, 0, 2).reshape(t, c); // (T, C)
            x = x.add(Linear.linear(y, attnProj[l]).singletonOrThrow());
            NDArray h2 = LayerNorm.layerNorm(x, new Shape(c), ln2[l], zeroBias, 1e-5f).singletonOrThrow();
            x = x.add(Linear.linear(Activation.gelu(Linear.linear(h2, fc[l]).singletonOrThrow()), mlpProj[l]).singletonOrThrow());
        }
        NDArray last = x.get((t - 1) + ":" + t); // (1, C)
        NDArray logits = Linear.linear(LayerNorm.layerNorm(last, new Shape(c), lnF, zeroBias, 1e-5f).singletonOrThrow(), wte)
                .singletonOrThrow();
        return logits.toFloatArray();
    }

    /** (T, start + T): 0 where position start + i may see key j (j <= start + i), -inf elsewhere. */
    private static NDArray causalMask(NDManager m, int t, int start) {
        int keys = start + t;
        float[] mask = new float[t * keys];
        for (int i = 0; i < t; i++) {
            Arrays.fill(mask, i * keys + start + i + 1, (i + 1) * keys, Float.NEGATIVE_INFINITY);
        }
        return m.create(mask, new Shape(t, keys));
    }

    private static int argmax(float[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        root.close();
    }
}
