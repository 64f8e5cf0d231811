package dev.llmforge.benchmarks.pretrain;

import dev.llmforge.model.GptConfig;
import java.util.List;
import java.util.Locale;

/**
 * One model size of the benchmarks and its training recipe: nanoGPT's documented CPU run of the
 * character-level Shakespeare model ({@code train.py config/train_shakespeare_char.py --device=cpu
 * --compile=False --eval_iters=20 --log_interval=1 --block_size=64 --batch_size=12 --n_layer=4
 * --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0}): no biases, exact
 * GELU, tied head, AdamW (0.9, 0.99) with weight decay 0.1 on matrices only, gradient clipping at 1,
 * linear warm-up for 100 iterations then cosine decay from 1e-3 to 1e-4 at iteration 2,000,
 * evaluation every 250 iterations on 20 batches of each split; the larger sizes of the size ladder
 * ({@link #ladder()}) change only the shape, the batch and the tokenizer.
 *
 * @param name      the size's name on the command line ({@code --size})
 * @param tokenizer how the corpus is tokenized ({@code char}, or {@code gpt2} for GPT-2's vocabulary)
 */
record ReferenceConfig(String name, String tokenizer, int batch, int block, int layers, int heads, int width, double maxLr, double minLr,
                       int warmupIters, int decayIters, double beta1, double beta2, double eps, double weightDecay, double gradClip,
                       int evalInterval, int evalIters, int maxIters) {

    /** nanoGPT's CPU run: 4 layers, 4 heads, width 128, context 64, batch 12 (0.8M parameters). */
    static ReferenceConfig nanoGptShakespeareCharCpu() {
        return new ReferenceConfig("0.8m", "char", 12, 64, 4, 4, 128, 1e-3, 1e-4, 100, 2000, 0.9, 0.99, 1e-8, 0.1, 1.0, 250, 20, 2000);
    }

    /**
     * The size ladder: nanoGPT's CPU run (0.8M); nanoGPT's shakespeare-char GPU model at a CPU batch
     * (6 layers, 6 heads, width 384, context 256, batch 8: 10.7M); GPT-2 small (12 layers, 12 heads,
     * width 768, GPT-2's vocabulary) at context 256, batch 2 (124M with the position embeddings of
     * 1,024 positions, 123.8M at context 256).
     */
    static List<ReferenceConfig> ladder() {
        ReferenceConfig small = nanoGptShakespeareCharCpu();
        return List.of(small, small.resized("10.7m", "char", 8, 256, 6, 6, 384), small.resized("124m", "gpt2", 2, 256, 12, 12, 768));
    }

    /** The ladder's size called {@code name} (case-insensitive). */
    static ReferenceConfig size(String name) {
        for (ReferenceConfig c : ladder()) {
            if (c.name.equalsIgnoreCase(name.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("--size must be one of " + ladder().stream().map(ReferenceConfig::name).toList() + ", got '"
                + name + "'");
    }

    private ReferenceConfig resized(String newName, String newTokenizer, int newBatch, int newBlock, int newLayers, int newHeads,
                                    int newWidth) {
        return new ReferenceConfig(newName, newTokenizer, newBatch, newBlock, newLayers, newHeads, newWidth, maxLr, minLr, warmupIters,
                decayIters, beta1, beta2, eps, weightDecay, gradClip, evalInterval, evalIters, maxIters);
    }

    /** nanoGPT's shakespeare-char model (no biases, no dropout, exact GELU, tied head) at this shape. */
    GptConfig model(int vocab) {
        return GptConfig.shakespeareChar(vocab).toBuilder().blockSize(block).nLayer(layers).nHead(heads).nKvHead(heads)
                .nEmbd(width).ffnHidden(4 * width).build();
    }

    int tokensPerIter() {
        return batch * block;
    }

    int headDim() {
        return width / heads;
    }

    /** nanoGPT's get_lr: linear warm-up, cosine decay to minLr at decayIters, then minLr. */
    double learningRate(int iter) {
        if (iter < warmupIters) {
            return maxLr * (iter + 1) / (warmupIters + 1);
        }
        if (iter > decayIters) {
            return minLr;
        }
        double ratio = (double) (iter - warmupIters) / (decayIters - warmupIters);
        return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (maxLr - minLr);
    }

    /** Parameters as nanoGPT counts them for its MFU estimate: everything but the position embeddings. */
    long nonEmbeddingParameters(int vocab) {
        long perLayer = 2L * width + 3L * width * width + (long) width * width + 4L * width * width * 2;
        return (long) vocab * width + layers * perLayer + width;
    }

    /** nanoGPT's estimate_mfu: 6 N + 12 L H Q T model FLOPs per token (forward and backward). */
    double flopsPerToken(int vocab) {
        return 6.0 * nonEmbeddingParameters(vocab) + 12.0 * layers * heads * headDim() * block;
    }

    /** "6 layers, 6 heads, width 384, context 256, batch 8". */
    String describeShape() {
        return String.format(Locale.ROOT, "%d layers, %d heads, width %d, context %d, batch %d, %s tokens", layers, heads, width, block, batch,
                tokenizer);
    }
}
