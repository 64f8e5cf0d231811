package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;

/** A pre-norm transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. */
public final class Block extends Module {
    private final Norm ln1;
    private final CausalSelfAttention attn;
    private final Norm ln2;
    private final FeedForward mlp;

    public Block(Norm ln1, CausalSelfAttention attn, Norm ln2, FeedForward mlp) {
        this.ln1 = registerModule("ln_1", ln1);
        this.attn = registerModule("attn", attn);
        this.ln2 = registerModule("ln_2", ln2);
        this.mlp = registerModule("mlp", mlp);
    }

    /** x (B·T, C) → (B·T, C). */
    public Tensor forward(Tensor x, ForwardContext ctx) {
        Tensor h = x.add(attn.forward(ln1.forward(x), ctx));
        return h.add(mlp.forward(ln2.forward(h)));
    }

    public CausalSelfAttention attention() {
        return attn;
    }

    public FeedForward mlp() {
        return mlp;
    }
}
