package dev.llmforge.training.data;

import java.util.Map;

/**
 * Random (B, T) windows of a token dataset, as nanoGPT's {@code get_batch}: each window starts at a
 * uniformly random offset; {@link Batch#TARGETS} are the {@link Batch#IDS} shifted by one token.
 * Its state is the state of its {@link Rng}. Several sources may draw from one generator (as
 * pretraining's two evaluation sources do, like nanoGPT's single generator): each then saves and
 * restores the same value.
 */
public final class WindowSource implements BatchSource {
    private static final String RNG = "rng";

    private final TokenDataset data;
    private final int batchSize;
    private final int blockSize;
    private final Rng rng;

    public WindowSource(TokenDataset data, int batchSize, int blockSize, Rng rng) {
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

    @Override
    public Batch next() {
        long[] x = new long[batchSize * blockSize];
        long[] y = new long[batchSize * blockSize];
        long starts = data.size() - blockSize;
        for (int b = 0; b < batchSize; b++) {
            long start = rng.nextLong(starts);
            data.read(start, x, b * blockSize, blockSize);
            data.read(start + 1, y, b * blockSize, blockSize);
        }
        return Batch.builder(batchSize).longs(Batch.IDS, x, batchSize, blockSize).longs(Batch.TARGETS, y, batchSize, blockSize)
                .tokens((long) batchSize * blockSize).build();
    }

    @Override
    public Map<String, Long> state() {
        return Map.of(RNG, rng.state());
    }

    @Override
    public void restore(Map<String, Long> state) {
        rng.setState(BatchSource.required(state, RNG, "windows of " + data.path()));
    }
}
