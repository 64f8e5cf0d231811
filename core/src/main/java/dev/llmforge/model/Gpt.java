package dev.llmforge.model;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.nn.Block;
import dev.llmforge.nn.CausalSelfAttention;
import dev.llmforge.nn.Dropout;
import dev.llmforge.nn.Embedding;
import dev.llmforge.nn.FeedForward;
import dev.llmforge.nn.ForwardContext;
import dev.llmforge.nn.Init;
import dev.llmforge.nn.KvCache;
import dev.llmforge.nn.Linear;
import dev.llmforge.nn.Module;
import dev.llmforge.nn.ModuleList;
import dev.llmforge.nn.Norm;
import dev.llmforge.nn.PaddingMask;
import dev.llmforge.nn.RotaryEmbedding;
import dev.llmforge.nn.Segments;
import dev.llmforge.nn.TokenLayout;
import dev.llmforge.nn.functional.F;
import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Device;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only transformer language model. Parameter names follow Hugging Face GPT-2:
 * {@code wte.weight}, {@code wpe.weight}, {@code h.N.ln_1.weight}, {@code h.N.attn.c_attn.weight},
 * {@code h.N.attn.c_proj.*}, {@code h.N.ln_2.*}, {@code h.N.mlp.c_fc.*} / {@code h.N.mlp.c_proj.*}
 * (or {@code gate_proj/up_proj/down_proj} for SwiGLU), {@code ln_f.*}, and {@code lm_head.weight}
 * when the head is not tied; linear weights are stored (out, in).
 *
 * <p>Initialisation follows GPT-2/nanoGPT: weights ~ Normal(0, initStd), residual projections
 * ~ Normal(0, initStd / sqrt(2 nLayer)), biases 0, norm scales 1; drawn on the host from the seed.
 */
public final class Gpt extends Module {
    private final GptConfig config;
    private final Embedding wte;
    private final Embedding wpe;
    private final RotaryEmbedding rope;
    private final Dropout drop;
    private final ModuleList<Block> blocks;
    private final Norm lnF;
    private final Linear lmHead;

    /** A freshly initialised F32 model on {@code backend}'s CPU. */
    public Gpt(GptConfig config, Backend backend, long seed) {
        this(config, Tensor.on(backend, Device.cpu()), DType.F32, seed);
    }

    /** A freshly initialised model with parameters of {@code dtype} made by {@code tensors}. */
    public Gpt(GptConfig config, TensorFactory tensors, DType dtype, long seed) {
        this(config, tensors, dtype, new Init(tensors, dtype, seed), seed);
    }

    /** A model whose parameters are allocated (zero) but not initialised, to be filled from a checkpoint. */
    public static Gpt forLoading(GptConfig config, TensorFactory tensors, DType dtype) {
        return new Gpt(config, tensors, dtype, Init.placeholder(tensors, dtype), 0);
    }

    private Gpt(GptConfig config, TensorFactory tensors, DType dtype, Init init, long seed) {
        this.config = config;
        double std = config.initStd();
        double projStd = std / Math.sqrt(2.0 * config.nLayer());
        int c = config.nEmbd();
        this.wte = registerModule("wte", new Embedding(init, config.vocabSize(), c, std));
        if (config.positions() == GptConfig.PositionEncoding.LEARNED) {
            this.wpe = registerModule("wpe", new Embedding(init, config.blockSize(), c, std));
            this.rope = null;
        } else {
            this.wpe = null;
            this.rope = registerModule("rope", new RotaryEmbedding(tensors, dtype, config.headDim(), config.blockSize(),
                    config.ropeTheta(), config.ropeStyle()));
        }
        this.drop = registerModule("drop", new Dropout(config.dropout(), seed ^ 0x5DEECE66DL));
        List<Block> layers = new ArrayList<>();
        for (int i = 0; i < config.nLayer(); i++) {
            long layerSeed = seed + 1000L * (i + 1);
            Norm ln1 = Norm.create(config.norm(), init, c, config.normEps(), config.bias());
            CausalSelfAttention attn = new CausalSelfAttention(init, i, c, config.nHead(), config.nKvHead(), config.bias(), std,
                    projStd, config.dropout(), layerSeed);
            Norm ln2 = Norm.create(config.norm(), init, c, config.normEps(), config.bias());
            FeedForward mlp = new FeedForward(init, c, config.ffnHidden(), config.activation(), config.bias(), std, projStd,
                    config.dropout(), layerSeed + 1);
            layers.add(new Block(ln1, attn, ln2, mlp));
        }
        this.blocks = registerModule("h", new ModuleList<>(layers));
        this.lnF = registerModule("ln_f", Norm.create(config.norm(), init, c, config.normEps(), config.bias()));
        this.lmHead = config.tieWeights() ? null : registerModule("lm_head", new Linear(init, c, config.vocabSize(), false, std));
    }

    public GptConfig config() {
        return config;
    }

    /** Logits (B, T, V) for token ids (B, T). */
    public Tensor logits(Tensor ids) {
        return logits(ids, (Tensor) null);
    }

    /**
     * Logits (B, T, V) for token ids (B, T) with an attention mask (B, T) of 0/1 (1 = real token;
     * null: no padding). Each real token gets the logits it would get in its row alone, whatever the
     * padding side or amount; the logits at padding positions mean nothing.
     */
    public Tensor logits(Tensor ids, Tensor attentionMask) {
        checkIds(ids);
        return head(lnF.forward(hidden(ids, padding(ids, attentionMask), null))).reshape(ids.dim(0), ids.dim(1), config.vocabSize());
    }

    /**
     * Logits (B, T, V) for packed token ids (B, T): several records a row, told apart by
     * {@code segments}. Each record's tokens get the logits they would get with the record alone
     * (positions restart at each record, attention stays within it); padding's logits mean nothing.
     */
    public Tensor logits(Tensor ids, Segments segments) {
        checkIds(ids);
        return head(lnF.forward(hidden(ids, packed(ids, segments), null))).reshape(ids.dim(0), ids.dim(1), config.vocabSize());
    }

    /**
     * The final hidden states (B, T, C) — after the last block and the final norm, what the
     * language-model head reads — for token ids (B, T) with an optional attention mask (B, T) of 0/1.
     * Heads such as a {@link ScalarHead} attach here; {@link #logitsOf} gives the vocabulary logits.
     */
    public Tensor hiddenStates(Tensor ids, Tensor attentionMask) {
        checkIds(ids);
        return lnF.forward(hidden(ids, padding(ids, attentionMask), null)).reshape(ids.dim(0), ids.dim(1), config.nEmbd());
    }

    /** Vocabulary logits (..., V) of final hidden states (..., C) from {@link #hiddenStates}. */
    public Tensor logitsOf(Tensor hiddenStates) {
        int c = config.nEmbd();
        if (hiddenStates.dim(-1) != c) {
            throw new IllegalArgumentException("hidden states must end in the model width " + c + ", got " + hiddenStates.shape());
        }
        int[] dims = hiddenStates.shape().dims();
        dims[dims.length - 1] = config.vocabSize();
        return head(hiddenStates.reshape(-1, c)).reshape(dims);
    }

    /** Mean cross-entropy of next-token predictions against {@code targets} (B, T), skipping {@link F#IGNORE_INDEX}. */
    public Tensor loss(Tensor ids, Tensor targets) {
        return forward(ids, targets, F.IGNORE_INDEX).loss();
    }

    /**
     * Logits (B, T, V) and the mean cross-entropy against {@code targets} (B, T) over the targets
     * that are not {@code ignoreIndex}, from one forward pass.
     */
    public Output forward(Tensor ids, Tensor targets, long ignoreIndex) {
        return forward(ids, (Tensor) null, targets, ignoreIndex);
    }

    /**
     * {@link #forward(Tensor, Tensor, long)} over a padded batch: {@code attentionMask} (B, T) of 0/1
     * (null: no padding). Targets at padding positions should be {@code ignoreIndex}.
     */
    public Output forward(Tensor ids, Tensor attentionMask, Tensor targets, long ignoreIndex) {
        checkIds(ids);
        return output(ids, hidden(ids, padding(ids, attentionMask), null), targets, ignoreIndex);
    }

    /**
     * {@link #forward(Tensor, Tensor, long)} over a packed batch ({@link #logits(Tensor, Segments)}).
     * A target should not cross records: the last token of a record predicts nothing ({@code ignoreIndex}).
     */
    public Output forward(Tensor ids, Segments segments, Tensor targets, long ignoreIndex) {
        checkIds(ids);
        return output(ids, hidden(ids, packed(ids, segments), null), targets, ignoreIndex);
    }

    /** The logits of the activations (B·T, C) after the last block, and their loss against targets (B, T). */
    private Output output(Tensor ids, Tensor hidden, Tensor targets, long ignoreIndex) {
        if (!targets.shape().equals(ids.shape())) {
            throw new IllegalArgumentException("targets " + targets.shape() + " must have the shape of ids " + ids.shape());
        }
        int b = ids.dim(0);
        int t = ids.dim(1);
        Tensor logits = head(lnF.forward(hidden)); // (B·T, V)
        Tensor loss = F.crossEntropy(logits, targets.reshape(b * t), ignoreIndex);
        return new Output(logits.reshape(b, t, config.vocabSize()), loss);
    }

    /** Logits of one forward pass and their loss. */
    public record Output(Tensor logits, Tensor loss) {
    }

    /**
     * Logits (B, V) of the last position after reading {@code ids} (B, T). With a cache, the ids
     * continue the cached positions and are appended to the cache (run under no-grad); without
     * one, the ids are the whole context.
     */
    public Tensor nextTokenLogits(Tensor ids, KvCache cache) {
        return nextTokenLogits(ids, null, cache);
    }

    /**
     * Logits (B, V) that follow each row's last real token, after reading {@code ids} (B, T) with an
     * attention mask (B, T) of 0/1 (null: no padding). With a cache, the ids continue the cached
     * positions and are appended to the cache with their padding (run under no-grad): later passes
     * give each row its own positions and never attend to its padding. Generation left-pads, so
     * that every row's last token is real and new tokens follow it directly.
     */
    public Tensor nextTokenLogits(Tensor ids, Tensor attentionMask, KvCache cache) {
        checkIds(ids);
        int b = ids.dim(0);
        int t = ids.dim(1);
        PaddingMask padding = padding(ids, attentionMask);
        try (GradMode.Restore ignored = cache != null ? GradMode.noGrad() : null) {
            Tensor x = hidden(ids, padding, cache); // (B·T, C)
            if (padding != null && padding.hasPadding()) {
                x = padding.lastTokens(x.reshape(b, t, config.nEmbd())); // (B, C)
            } else if (t > 1) {
                x = x.reshape(b, t, config.nEmbd()).slice(1, t - 1, t).reshape(b, config.nEmbd());
            }
            return head(lnF.forward(x));
        }
    }

    /** A growing cache sized for this model's context. */
    public KvCache newCache() {
        return new KvCache(config.nLayer(), config.blockSize());
    }

    /** A fixed-size cache sized for this model's context (for captured generation steps; see {@link KvCache}). */
    public KvCache newFixedSizeCache() {
        return KvCache.fixedSize(config.nLayer(), config.blockSize());
    }

    /** (B·T, C) activations after the last block, before the final norm. */
    private Tensor hidden(Tensor ids, PaddingMask padding, KvCache cache) {
        int b = ids.dim(0);
        int t = ids.dim(1);
        int start = cache == null ? 0 : cache.length();
        if (start + t > config.blockSize()) {
            throw new IllegalArgumentException("sequence of " + (start + t) + " positions (" + start + " cached + " + t
                    + " new) exceeds the model's context of " + config.blockSize());
        }
        TensorFactory tensors = tensors(ids);
        DType dtype = wte.weight().dtype();
        return hidden(ids, cache == null ? TokenLayout.uncached(padding, tensors, dtype) : cache.layout(b, t, padding, tensors, dtype), cache);
    }

    /** (B·T, C) activations after the last block for tokens laid out as {@code layout}. */
    private Tensor hidden(Tensor ids, TokenLayout layout, KvCache cache) {
        int b = ids.dim(0);
        int t = ids.dim(1);
        Tensor x = wte.forward(ids); // (B, T, C)
        if (wpe != null) {
            // (T, C) or (B, T, C) rows of the position table
            x = x.add(layout.positions() != null ? wpe.weight().gather(0, layout.positions())
                    : wpe.weight().slice(0, layout.start(), layout.start() + t));
        }
        x = drop.forward(x.reshape(b * t, config.nEmbd()));
        RotaryEmbedding.Tables ropeTables = rope == null ? null
                : layout.positions() != null ? rope.tables(layout.positions()) : rope.tables(layout.start(), t);
        ForwardContext ctx = new ForwardContext(b, rope, ropeTables, cache, layout.mask());
        for (Block block : blocks.asList()) {
            x = block.forward(x, ctx);
        }
        if (cache != null) {
            cache.advance(t);
        }
        return x;
    }

    /** (N, C) → (N, V) */
    private Tensor head(Tensor x) {
        return lmHead != null ? lmHead.forward(x) : x.matmul(wte.weight(), false, true);
    }

    private void checkIds(Tensor ids) {
        if (ids.rank() != 2 || ids.dim(0) == 0 || ids.dim(1) == 0) {
            throw new IllegalArgumentException("token ids must be (B, T) with B, T > 0, got " + ids.shape());
        }
    }

    /** The layout of a packed batch: segment ids of the shape of the ids, at most a context long. */
    private TokenLayout packed(Tensor ids, Segments segments) {
        if (segments.batch() != ids.dim(0) || segments.length() != ids.dim(1)) {
            throw new IllegalArgumentException("segment ids of " + segments.batch() + " x " + segments.length() + " must have the shape of the token ids "
                    + ids.shape());
        }
        if (ids.dim(1) > config.blockSize()) {
            throw new IllegalArgumentException("packed rows of " + ids.dim(1) + " positions exceed the model's context of " + config.blockSize());
        }
        return TokenLayout.packed(segments, tensors(ids), wte.weight().dtype());
    }

    private static TensorFactory tensors(Tensor ids) {
        return Tensor.on(ids.backend(), ids.device());
    }

    private static PaddingMask padding(Tensor ids, Tensor attentionMask) {
        if (attentionMask == null) {
            return null;
        }
        if (!attentionMask.shape().equals(ids.shape())) {
            throw new IllegalArgumentException("attention mask " + attentionMask.shape() + " must have the shape of the token ids " + ids.shape());
        }
        return PaddingMask.of(attentionMask);
    }
}
