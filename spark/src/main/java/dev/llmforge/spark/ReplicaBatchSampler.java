package dev.llmforge.spark;

import dev.llmforge.training.data.Batch;
import dev.llmforge.training.data.BatchSampler;
import dev.llmforge.training.data.Rng;
import dev.llmforge.training.data.TokenDataset;

/**
 * One replica's share of nanoGPT-style random windows: every replica draws the start offsets of the
 * whole global batch from the same seeded generator, exactly as {@link BatchSampler} draws them on one
 * machine, and reads only its own rows, {@code [rank·B/N, (rank+1)·B/N)}. The N replicas together
 * therefore train on the very windows one machine with batch B trains on, in the same order, and every
 * replica's generator is in the same state after each batch (so rank 0's checkpoint of it resumes all).
 *
 * <p>Drawing the other replicas' offsets costs B random numbers per batch; the tokens read are only
 * this replica's B/N windows.
 */
public final class ReplicaBatchSampler {
    private final TokenDataset data;
    private final int globalBatch;
    private final int blockSize;
    private final Rng rng;
    private final int firstRow;
    private final int rows;

    public ReplicaBatchSampler(TokenDataset data, int globalBatch, int blockSize, Rng rng, int rank, int replicas) {
        if (replicas < 1 || rank < 0 || rank >= replicas) {
            throw new IllegalArgumentException("rank " + rank + " is outside " + replicas + " replicas");
        }
        if (globalBatch <= 0 || globalBatch % replicas != 0) {
            throw new IllegalArgumentException("--batch-size " + globalBatch + " must be a positive multiple of --replicas " + replicas
                    + ": each replica takes an equal share of the global batch's rows");
        }
        if (blockSize <= 0 || data.size() < blockSize + 1) {
            throw new IllegalArgumentException("dataset " + data.path() + " has " + data.size() + " tokens: block size " + blockSize
                    + " needs a positive block size and at least block size + 1 tokens");
        }
        this.data = data;
        this.globalBatch = globalBatch;
        this.blockSize = blockSize;
        this.rng = rng;
        this.rows = globalBatch / replicas;
        this.firstRow = rank * rows;
    }

    /** This replica's rows of the next global batch: (B/N, T) inputs and targets. */
    public Batch next() {
        long[] x = new long[rows * blockSize];
        long[] y = new long[rows * blockSize];
        long starts = data.size() - blockSize;
        for (int b = 0; b < globalBatch; b++) {
            long start = rng.nextLong(starts); // drawn for every row, as BatchSampler does, to stay in step with one machine
            if (b >= firstRow && b < firstRow + rows) {
                int row = b - firstRow;
                data.read(start, x, row * blockSize, blockSize);
                data.read(start + 1, y, row * blockSize, blockSize);
            }
        }
        return new Batch(x, y, rows, blockSize);
    }

    public Rng rng() {
        return rng;
    }
}
