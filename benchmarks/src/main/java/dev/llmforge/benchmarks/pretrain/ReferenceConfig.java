package dev.llmforge.benchmarks.pretrain;

/**
 * nanoGPT's documented CPU run of the character-level Shakespeare model ({@code train.py
 * config/train_shakespeare_char.py --device=cpu --compile=False --eval_iters=20 --log_interval=1
 * --block_size=64 --batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000
 * --lr_decay_iters=2000 --dropout=0.0}): no biases, exact GELU, tied head, AdamW (0.9, 0.99) with
 * weight decay 0.1 on matrices only, gradient clipping at 1, linear warm-up for 100 iterations then
 * cosine decay from 1e-3 to 1e-4 at iteration 2,000, evaluation every 250 iterations on 20 batches
 * of each split.
 */
record ReferenceConfig(int batch, int block, int layers, int heads, int width, double maxLr, double minLr, int warmupIters,
                       int decayIters, double beta1, double beta2, double eps, double weightDecay, double gradClip,
                       int evalInterval, int evalIters, int maxIters) {

    static ReferenceConfig nanoGptShakespeareCharCpu() {
        return new ReferenceConfig(12, 64, 4, 4, 128, 1e-3, 1e-4, 100, 2000, 0.9, 0.99, 1e-8, 0.1, 1.0, 250, 20, 2000);
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
}
