package dev.llmforge.nn;

import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;

/**
 * Multi-head causal self-attention with grouped-query heads (fewer key/value heads than query
 * heads, each shared by {@code heads / kvHeads} query heads) and optional RoPE.
 *
 * <p>One fused projection {@code c_attn} gives [q (H·D) | k (Hkv·D) | v (Hkv·D)] per row (Hugging
 * Face GPT-2's order); {@code c_proj} maps the heads back to the model width.
 */
public final class CausalSelfAttention extends Module {
    private final int layer;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final double dropout;
    private final Linear cAttn;
    private final Linear cProj;
    private final Dropout residualDropout;
    private final SeedSequence seeds;

    /**
     * @param layer   this layer's index (its slot in a {@link KvCache})
     * @param std     initial std of c_attn; {@code projStd} that of c_proj (scaled for residuals)
     * @param dropout attention-weight and residual dropout probability (training mode only)
     */
    public CausalSelfAttention(Init init, int layer, int dim, int heads, int kvHeads, boolean bias, double std, double projStd,
                               double dropout, long seed) {
        if (dim % heads != 0) {
            throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
        }
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads cannot be grouped over " + kvHeads + " key/value heads");
        }
        this.layer = layer;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = dim / heads;
        this.dropout = dropout;
        this.cAttn = registerModule("c_attn", new Linear(init, dim, (heads + 2 * kvHeads) * headDim, bias, std));
        this.cProj = registerModule("c_proj", new Linear(init, heads * headDim, dim, bias, projStd));
        this.residualDropout = registerModule("resid_dropout", new Dropout(dropout, seed));
        this.seeds = registerSeeds(new SeedSequence(~seed));
    }

    /** x (B·T, C) → (B·T, C). */
    public Tensor forward(Tensor x, ForwardContext ctx) {
        int b = ctx.batch();
        int t = x.dim(0) / b;
        int all = heads + 2 * kvHeads;
        Tensor qkv = cAttn.forward(x); // (B·T, all·D)
        double p = isTraining() ? dropout : 0;
        if (ctx.rope() == null && ctx.cache() == null && ctx.attentionMask() == null && kvHeads == heads && p == 0) {
            // q, k and v straight from the packed projection: the backward yields qkv's gradient in one piece
            Tensor y = F.causalAttentionPacked(qkv, b, heads); // (B, H, T, D)
            return residualDropout.forward(cProj.forward(mergeHeads(y, b, t)));
        }
        Tensor split = t == 1
                ? qkv.reshape(b, all, 1, headDim) // same element order, one kernel fewer
                : qkv.reshape(b, t, all, headDim).permute(0, 2, 1, 3); // (B, all, T, D)
        Tensor qk = split;
        if (ctx.rope() != null) {
            // queries and keys rotate together: one application instead of two
            qk = ctx.rope().apply(split.slice(1, 0, heads + kvHeads), ctx.ropeTables());
        }
        Tensor q = qk.slice(1, 0, heads);
        Tensor k = qk.slice(1, heads, heads + kvHeads);
        Tensor v = split.slice(1, heads + kvHeads, all);
        if (ctx.cache() != null) {
            Tensor[] kv = ctx.cache().append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        k = repeatHeads(k);
        v = repeatHeads(v);
        long seed = p == 0 ? 0 : seeds.next();
        Tensor y = ctx.attentionMask() != null
                ? F.maskedAttention(q, k, v, ctx.attentionMask(), p, seed) // padding, or every slot of a fixed-size cache
                : F.causalAttention(q, k, v, p, seed); // (B, H, T, D)
        return residualDropout.forward(cProj.forward(mergeHeads(y, b, t)));
    }

    /** (B, H, T, D) → (B·T, H·D) */
    private Tensor mergeHeads(Tensor y, int b, int t) {
        return t == 1 ? y.reshape(b, heads * headDim) : y.permute(0, 2, 1, 3).reshape(b * t, heads * headDim);
    }

    /** (B, Hkv, T, D) → (B, H, T, D), each key/value head serving heads/Hkv consecutive query heads. */
    private Tensor repeatHeads(Tensor kv) {
        if (kvHeads == heads) {
            return kv;
        }
        int b = kv.dim(0);
        int t = kv.dim(2);
        int group = heads / kvHeads;
        return kv.reshape(b, kvHeads, 1, t, headDim)
                .expand(Shape.of(b, kvHeads, group, t, headDim))
                .reshape(b, heads, t, headDim);
    }

    public int heads() {
        return heads;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }
}
