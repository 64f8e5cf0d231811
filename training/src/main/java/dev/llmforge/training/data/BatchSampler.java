package dev.llmforge.training.data;

/**
 * Random (B, T) windows of a token dataset, as nanoGPT's {@code get_batch}: each window starts at a
 * uniformly random offset; targets are the inputs shifted by one token. Seeded; its state is the
 * state of its {@link Rng}.
 */
public final class BatchSampler {
    private final TokenDataset data;
    private final int batchSize;
    private final int blockSize;
    private final Rng rng;

    public BatchSampler(TokenDataset data, int batchSize, int blockSize, Rng rng) {
        if (batchSize <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("batch size and block size must be positive, got " + batchSize + " and " + blockSize);
        }
        if (data.size() < blockSize + 1) {
            throw new IllegalArgumentException("dataset " + data.path() + " has " + data.size() + " tokens, fewer than block size + 1 = "
                    + (blockSize + 1));
        }
        this.data = data;
        this.batchSize = batchSize;
        this.blockSize = blockSize;
        this.rng = rng;
    }

    public Batch next() {
        long[] x = new long[batchSize * blockSize];
        long[] y = new long[batchSize * blockSize];
        long starts = data.size() - blockSize;
        for (int b = 0; b < batchSize; b++) {
            long start = rng.nextLong(starts);
            data.read(start, x, b * blockSize, blockSize);
            data.read(start + 1, y, b * blockSize, blockSize);
        }
        return new Batch(x, y, batchSize, blockSize);
    }

    public Rng rng() {
        return rng;
    }
}
