package dev.llmforge.model;

import dev.llmforge.nn.FeedForward.Activation;
import dev.llmforge.nn.Norm;
import dev.llmforge.nn.RotaryEmbedding;
import java.io.Serializable;

/**
 * The shape of a GPT: the GPT-2 family (learned positions, LayerNorm, GELU, biases, tied head) and
 * the LLaMA family (RoPE, RMSNorm, SwiGLU, grouped-query attention, no biases) are both points of
 * this space. Build one with {@link #builder()} or start from a preset ({@link #gpt2},
 * {@link #llama}) and adjust it with {@link #toBuilder()}.
 *
 * @param vocabSize  token ids are in [0, vocabSize)
 * @param blockSize  the longest context (positions) the model handles
 * @param nLayer     transformer blocks
 * @param nHead      query heads; the head width is nEmbd / nHead
 * @param nKvHead    key/value heads (== nHead: multi-head; fewer: grouped-query)
 * @param nEmbd      the model width C
 * @param ffnHidden  the MLP's hidden width (4·C for GPT-2)
 * @param norm       LayerNorm or RMSNorm
 * @param normEps    the normalisation epsilon
 * @param activation the MLP activation (GELU tanh/exact, or SwiGLU)
 * @param positions  learned position embeddings or RoPE
 * @param ropeTheta  RoPE's base (10000 in LLaMA)
 * @param ropeStyle  which elements RoPE rotates together
 * @param bias       biases in the linear layers and LayerNorms
 * @param tieWeights the output head reuses the token embedding
 * @param dropout    dropout probability in training mode
 * @param initStd    std of the normal initialisation (residual projections get initStd / sqrt(2 nLayer))
 */
public record GptConfig(int vocabSize, int blockSize, int nLayer, int nHead, int nKvHead, int nEmbd, int ffnHidden,
                        Norm.Kind norm, double normEps, Activation activation, PositionEncoding positions, double ropeTheta,
                        RotaryEmbedding.Style ropeStyle, boolean bias, boolean tieWeights, double dropout, double initStd) implements Serializable {

    /** How the model knows where a token is. */
    public enum PositionEncoding { LEARNED, ROPE }

    public GptConfig {
        positive("vocabSize", vocabSize);
        positive("blockSize", blockSize);
        positive("nLayer", nLayer);
        positive("nHead", nHead);
        positive("nKvHead", nKvHead);
        positive("nEmbd", nEmbd);
        positive("ffnHidden", ffnHidden);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("nEmbd " + nEmbd + " must be divisible by nHead " + nHead);
        }
        if (nHead % nKvHead != 0) {
            throw new IllegalArgumentException("nHead " + nHead + " must be a multiple of nKvHead " + nKvHead);
        }
        if (positions == PositionEncoding.ROPE && (nEmbd / nHead) % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even head width, got " + nEmbd / nHead);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(normEps > 0) || !(initStd > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("normEps, initStd and ropeTheta must be positive, got " + normEps + ", " + initStd
                    + ", " + ropeTheta);
        }
        if (norm == null || activation == null || positions == null || ropeStyle == null) {
            throw new IllegalArgumentException("norm, activation, positions and ropeStyle must be set");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /**
     * The number of parameters a model of this config has, computed without building it (so a config
     * read from a file can be checked before anything is allocated); {@link Long#MAX_VALUE} if it
     * overflows a long.
     */
    public long parameterCount() {
        long c = nEmbd;
        long heads = nHead + 2L * nKvHead;
        long normalization = norm == Norm.Kind.LAYER_NORM && bias ? 2 * c : c;
        long attention = Sizes.sum(Sizes.product(c, heads * headDim()), Sizes.product(c, c), bias ? heads * headDim() + c : 0);
        long mlpMatrices = activation == Activation.SWIGLU ? 3 : 2;
        long mlpBiases = activation == Activation.SWIGLU ? 2L * ffnHidden + c : (long) ffnHidden + c;
        long mlp = Sizes.sum(Sizes.product(mlpMatrices, Sizes.product(c, ffnHidden)), bias ? mlpBiases : 0);
        long layer = Sizes.sum(2 * normalization, attention, mlp);
        long embeddings = Sizes.product(vocabSize, c);
        return Sizes.sum(embeddings, positions == PositionEncoding.LEARNED ? Sizes.product(blockSize, c) : 0, Sizes.product(nLayer, layer),
                normalization, tieWeights ? 0 : embeddings);
    }

    /** The elements of the model's buffers (RoPE's cos/sin tables and rotation), which are not parameters but take memory. */
    public long bufferElementCount() {
        long hd = headDim();
        return positions == PositionEncoding.ROPE ? Sizes.sum(Sizes.product(2L * blockSize, hd), hd * hd) : 0;
    }

    /**
     * A GPT-2-family model: learned positions, LayerNorm (eps 1e-5) with bias, GELU (tanh),
     * MLP width 4·C, tied head, no dropout.
     */
    public static GptConfig gpt2(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd) {
        return new Builder().vocabSize(vocabSize).blockSize(blockSize).nLayer(nLayer).nHead(nHead).nKvHead(nHead).nEmbd(nEmbd)
                .ffnHidden(4 * nEmbd).build();
    }

    /** GPT-2 small (124M): 12 layers, 12 heads, width 768, context 1024, vocab 50257. */
    public static GptConfig gpt2Small() {
        return gpt2(50257, 1024, 12, 12, 768);
    }

    /** GPT-2 medium (350M). */
    public static GptConfig gpt2Medium() {
        return gpt2(50257, 1024, 24, 16, 1024);
    }

    /** GPT-2 large (774M). */
    public static GptConfig gpt2Large() {
        return gpt2(50257, 1024, 36, 20, 1280);
    }

    /** GPT-2 XL (1.5B). */
    public static GptConfig gpt2Xl() {
        return gpt2(50257, 1024, 48, 25, 1600);
    }

    /**
     * nanoGPT's "baby GPT" for character-level Shakespeare (~0.8M parameters with Tiny Shakespeare's
     * 65 characters): context 64, 4 layers, 4 heads, width 128, no biases, no dropout, exact GELU
     * (nanoGPT's {@code nn.GELU()}). The model of {@code llmforge pretrain}'s reference run.
     */
    public static GptConfig shakespeareChar(int vocabSize) {
        return gpt2(vocabSize, 64, 4, 4, 128).toBuilder().bias(false).activation(Activation.GELU_EXACT).build();
    }

    /**
     * A LLaMA-family model: RoPE (theta 10000, interleaved pairs), RMSNorm (eps 1e-5), SwiGLU MLP of
     * width {@code ffnHidden}, grouped-query attention, no biases, tied head, no dropout.
     */
    public static GptConfig llama(int vocabSize, int blockSize, int nLayer, int nHead, int nKvHead, int nEmbd, int ffnHidden) {
        return new Builder().vocabSize(vocabSize).blockSize(blockSize).nLayer(nLayer).nHead(nHead).nKvHead(nKvHead).nEmbd(nEmbd)
                .ffnHidden(ffnHidden).norm(Norm.Kind.RMS_NORM).activation(Activation.SWIGLU).positions(PositionEncoding.ROPE)
                .bias(false).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().vocabSize(vocabSize).blockSize(blockSize).nLayer(nLayer).nHead(nHead).nKvHead(nKvHead).nEmbd(nEmbd)
                .ffnHidden(ffnHidden).norm(norm).normEps(normEps).activation(activation).positions(positions).ropeTheta(ropeTheta)
                .ropeStyle(ropeStyle).bias(bias).tieWeights(tieWeights).dropout(dropout).initStd(initStd);
    }

    /** Builder with GPT-2 defaults for everything but the sizes. */
    public static final class Builder {
        private int vocabSize;
        private int blockSize;
        private int nLayer;
        private int nHead;
        private int nKvHead;
        private int nEmbd;
        private int ffnHidden;
        private Norm.Kind norm = Norm.Kind.LAYER_NORM;
        private double normEps = 1e-5;
        private Activation activation = Activation.GELU_TANH;
        private PositionEncoding positions = PositionEncoding.LEARNED;
        private double ropeTheta = 10000;
        private RotaryEmbedding.Style ropeStyle = RotaryEmbedding.Style.INTERLEAVED;
        private boolean bias = true;
        private boolean tieWeights = true;
        private double dropout;
        private double initStd = 0.02;

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder blockSize(int v) {
            blockSize = v;
            return this;
        }

        public Builder nLayer(int v) {
            nLayer = v;
            return this;
        }

        /** Sets the query heads (and the key/value heads, if not set separately). */
        public Builder nHead(int v) {
            nHead = v;
            return this;
        }

        public Builder nKvHead(int v) {
            nKvHead = v;
            return this;
        }

        public Builder nEmbd(int v) {
            nEmbd = v;
            return this;
        }

        public Builder ffnHidden(int v) {
            ffnHidden = v;
            return this;
        }

        public Builder norm(Norm.Kind v) {
            norm = v;
            return this;
        }

        public Builder normEps(double v) {
            normEps = v;
            return this;
        }

        public Builder activation(Activation v) {
            activation = v;
            return this;
        }

        public Builder positions(PositionEncoding v) {
            positions = v;
            return this;
        }

        public Builder ropeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        public Builder ropeStyle(RotaryEmbedding.Style v) {
            ropeStyle = v;
            return this;
        }

        public Builder bias(boolean v) {
            bias = v;
            return this;
        }

        public Builder tieWeights(boolean v) {
            tieWeights = v;
            return this;
        }

        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        public Builder initStd(double v) {
            initStd = v;
            return this;
        }

        public GptConfig build() {
            int kv = nKvHead == 0 ? nHead : nKvHead;
            int hidden = ffnHidden == 0 ? 4 * nEmbd : ffnHidden;
            return new GptConfig(vocabSize, blockSize, nLayer, nHead, kv, nEmbd, hidden, norm, normEps, activation, positions,
                    ropeTheta, ropeStyle, bias, tieWeights, dropout, initStd);
        }
    }
}
