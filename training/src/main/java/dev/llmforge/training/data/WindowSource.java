package dev.llmforge.training.data;

import java.util.Map;

/**
 * Random (B, T) windows of a token dataset, as nanoGPT's {@code get_batch}: each window starts at a
 * uniformly random offset; {@link Batch#TARGETS} are the {@link Batch#IDS} shifted by one token.
 * Its state is the state of its {@link Rng}. Several sources may draw from one generator (as
 * pretraining's two evaluation sources do, like nanoGPT's single generator): each then saves and
 * restores the same value.
 *
 * <p>A replica of data-parallel training takes its share of a global batch ({@link #replicaShare}): it
 * draws the start offsets of all B windows, exactly as one machine does, and reads only its rows
 * {@code [rank·B/N, (rank+1)·B/N)}. The N replicas together train on the windows one machine with
 * batch B trains on, and every replica's generator stays in the state of one machine's.
 */
public final class WindowSource implements BatchSource {
    private static final String RNG = "rng";

    private final TokenDataset data;
    private final int batchSize;
    private final int blockSize;
    private final Rng rng;
    private final int firstRow;
    private final int rows;

    public WindowSource(TokenDataset data, int batchSize, int blockSize, Rng rng) {
        this(data, batchSize, blockSize, rng, 0, batchSize);
    }

    /**
     * Replica {@code rank}'s rows of each global batch of {@code globalBatch} windows shared by
     * {@code replicas} replicas.
     */
    public static WindowSource replicaShare(TokenDataset data, int globalBatch, int blockSize, Rng rng, int rank, int replicas) {
        if (replicas < 1 || rank < 0 || rank >= replicas) {
            throw new IllegalArgumentException("rank " + rank + " is outside " + replicas + " replicas");
        }
        if (globalBatch <= 0 || globalBatch % replicas != 0) {
            throw new IllegalArgumentException("--batch-size " + globalBatch + " must be a positive multiple of --replicas " + replicas
                    + ": each replica takes an equal share of the global batch's rows");
        }
        int rows = globalBatch / replicas;
        return new WindowSource(data, globalBatch, blockSize, rng, rank * rows, rows);
    }

    private WindowSource(TokenDataset data, int batchSize, int blockSize, Rng rng, int firstRow, int rows) {
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
        this.firstRow = firstRow;
        this.rows = rows;
    }

    /** This source's rows of the next batch: (rows, T) ids and targets. */
    @Override
    public Batch next() {
        long[] x = new long[rows * blockSize];
        long[] y = new long[rows * blockSize];
        long starts = data.size() - blockSize;
        for (int b = 0; b < batchSize; b++) {
            long start = rng.nextLong(starts); // drawn for every row of the batch, so that each share stays in step
            int row = b - firstRow;
            if (row >= 0 && row < rows) {
                data.read(start, x, row * blockSize, blockSize);
                data.read(start + 1, y, row * blockSize, blockSize);
            }
        }
        return Batch.builder(rows).longs(Batch.IDS, x, rows, blockSize).longs(Batch.TARGETS, y, rows, blockSize)
                .tokens((long) rows * blockSize).build();
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
