package dev.llmforge.benchmarks.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The baseline: the reference GPT written by hand directly on DJL, as a Java user would without
 * llmforge. Parameters are {@link NDArray}s with PyTorch's autograd ({@link GradientCollector});
 * the layers are DJL's functional ops (embedding, linear, layer norm, GELU, softmax, matmul); each
 * step runs in its own sub-manager; AdamW is DJL's (two optimisers: weight decay on matrices,
 * none on the layer-norm scales, as nanoGPT groups them); gradients are clipped to global norm 1
 * (the norm read on the host), then zeroed in place after the update.
 *
 * <p>Initial weights are drawn like llmforge's {@code Init} (same order, same {@link Random}), so
 * a seed gives both implementations the same starting point.
 */
final class HandWrittenDjlGpt implements PretrainModel {
    private final ReferenceConfig cfg;
    private final int vocab;
    private final NDManager root;
    private final Engine engine;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final NDArray zeroBias; // LayerNorm without bias: DJL's layerNorm takes a beta, so a constant zero one
    private final NDArray causalMask; // (T, T): 0 on and below the diagonal, -inf above
    private final Optimizer decayed;
    private final Optimizer undecayed;
    private float currentLr;

    HandWrittenDjlGpt(ReferenceConfig cfg, int vocab, long seed) {
        this.cfg = cfg;
        this.vocab = vocab;
        this.engine = Engine.getEngine("PyTorch");
        this.root = NDManager.newBaseManager();
        int c = cfg.width();
        double std = 0.02;
        double projStd = std / Math.sqrt(2.0 * cfg.layers());
        Random random = new Random(seed);
        param("wte", normal(random, std, vocab, c));
        param("wpe", normal(random, std, cfg.block(), c));
        for (int l = 0; l < cfg.layers(); l++) {
            String h = "h." + l + ".";
            param(h + "ln_1.weight", root.ones(new Shape(c)));
            param(h + "attn.c_attn.weight", normal(random, std, 3 * c, c));
            param(h + "attn.c_proj.weight", normal(random, projStd, c, c));
            param(h + "ln_2.weight", root.ones(new Shape(c)));
            param(h + "mlp.c_fc.weight", normal(random, std, 4 * c, c));
            param(h + "mlp.c_proj.weight", normal(random, projStd, c, 4 * c));
        }
        param("ln_f.weight", root.ones(new Shape(c)));
        this.zeroBias = root.zeros(new Shape(c));
        float[] mask = new float[cfg.block() * cfg.block()];
        for (int i = 0; i < cfg.block(); i++) {
            for (int j = i + 1; j < cfg.block(); j++) {
                mask[i * cfg.block() + j] = Float.NEGATIVE_INFINITY;
            }
        }
        this.causalMask = root.create(mask, new Shape(cfg.block(), cfg.block()));
        this.decayed = Optimizer.adamW().optLearningRateTracker((name, n) -> currentLr).optBeta1((float) cfg.beta1())
                .optBeta2((float) cfg.beta2()).optEpsilon((float) cfg.eps()).optWeightDecays((float) cfg.weightDecay()).build();
        this.undecayed = Optimizer.adamW().optLearningRateTracker((name, n) -> currentLr).optBeta1((float) cfg.beta1())
                .optBeta2((float) cfg.beta2()).optEpsilon((float) cfg.eps()).optWeightDecays(0f).build();
    }

    private NDArray normal(Random random, double std, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return root.create(v, new Shape(rows, cols));
    }

    private void param(String name, NDArray value) {
        value.setRequiresGradient(true);
        params.put(name, value);
    }

    @Override
    public double trainStep(long[] x, long[] y, double lr) {
        currentLr = (float) lr;
        try (NDManager step = root.newSubManager()) {
            NDArray xs = step.create(x, new Shape(cfg.batch(), cfg.block()));
            NDArray ys = step.create(y, new Shape(cfg.batch(), cfg.block()));
            NDArray loss;
            try (GradientCollector collector = engine.newGradientCollector()) {
                loss = loss(xs, ys);
                collector.backward(loss);
            }
            List<NDArray> grads = new ArrayList<>(params.size());
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.attach(step);
                grads.add(g);
            }
            clipGlobalNorm(grads, (float) cfg.gradClip());
            int i = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray g = grads.get(i++);
                (p.getShape().dimension() >= 2 ? decayed : undecayed).update(e.getKey(), p, g);
                g.subi(g); // PyTorch accumulates gradients: zero them for the next step
            }
            return loss.getFloat();
        }
    }

    /** torch.nn.utils.clip_grad_norm_: scales every gradient by min(1, max / (norm + 1e-6)). */
    private static void clipGlobalNorm(List<NDArray> grads, float max) {
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray sq = g.square().sum();
            total = total == null ? sq : total.add(sq);
        }
        float norm = (float) Math.sqrt(total.getFloat());
        float coef = max / (norm + 1e-6f);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli(coef);
            }
        }
    }

    @Override
    public double evalLoss(List<long[][]> batches) {
        double sum = 0;
        for (long[][] b : batches) {
            try (NDManager step = root.newSubManager()) {
                NDArray xs = step.create(b[0], new Shape(cfg.batch(), cfg.block()));
                NDArray ys = step.create(b[1], new Shape(cfg.batch(), cfg.block()));
                sum += loss(xs, ys).getFloat();
            }
        }
        return sum / batches.size();
    }

    /** Mean cross-entropy of the next-character predictions; x, y (B, T) int64. */
    private NDArray loss(NDArray x, NDArray y) {
        int b = cfg.batch();
        int t = cfg.block();
        int c = cfg.width();
        NDArray h = Embedding.embedding(x, params.get("wte"), SparseFormat.DENSE).singletonOrThrow().add(params.get("wpe")); // (B, T, C)
        for (int l = 0; l < cfg.layers(); l++) {
            String n = "h." + l + ".";
            h = h.add(attention(layerNorm(h, n + "ln_1.weight"), n));
            NDArray fc = Linear.linear(layerNorm(h, n + "ln_2.weight"), params.get(n + "mlp.c_fc.weight")).singletonOrThrow();
            h = h.add(Linear.linear(Activation.gelu(fc), params.get(n + "mlp.c_proj.weight")).singletonOrThrow());
        }
        NDArray logits = Linear.linear(layerNorm(h, "ln_f.weight"), params.get("wte")).singletonOrThrow(); // (B, T, V)
        NDArray logp = logits.reshape(b * t, vocab).logSoftmax(1);
        return logp.gather(y.reshape(b * t, 1), 1).mean().neg();
    }

    private NDArray layerNorm(NDArray x, String weight) {
        return LayerNorm.layerNorm(x, new Shape(cfg.width()), params.get(weight), zeroBias, 1e-5f).singletonOrThrow();
    }

    /** Causal multi-head self-attention: (B, T, C) to (B, T, C). */
    private NDArray attention(NDArray x, String n) {
        int b = cfg.batch();
        int t = cfg.block();
        int c = cfg.width();
        int heads = cfg.heads();
        int d = cfg.headDim();
        NDList qkv = Linear.linear(x, params.get(n + "attn.c_attn.weight")).singletonOrThrow().split(3, 2);
        NDArray q = qkv.get(0).reshape(b, t, heads, d).transpose(0, 2, 1, 3); // (B, H, T, D)
        NDArray k = qkv.get(1).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray v = qkv.get(2).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(1 / Math.sqrt(d)).add(causalMask).softmax(-1); // (B, H, T, T)
        NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, c);
        return Linear.linear(y, params.get(n + "attn.c_proj.weight")).singletonOrThrow();
    }

    @Override
    public long parameterCount() {
        long n = 0;
        for (NDArray p : params.values()) {
            n += p.size();
        }
        return n;
    }

    @Override
    public String describe() {
        return "hand-written on DJL " + ai.djl.engine.Engine.getDjlVersion() + " (PyTorch " + engine.getVersion() + " autograd, DJL AdamW)";
    }

    @Override
    public void close() {
        root.close();
    }
}
