package dev.llmforge.benchmarks.pretrain;

import java.util.List;

/** One implementation of the reference model and its training step, as the benchmark drives it. */
interface PretrainModel extends AutoCloseable {
    /** One optimisation step (forward, backward, clipping, AdamW at {@code lr}) on (x, y); returns the loss. */
    double trainStep(long[] x, long[] y, double lr);

    /** Mean loss over the batches, without gradients (nanoGPT's estimate_loss for one split). */
    double evalLoss(List<long[][]> batches);

    /** Parameter elements (tied weights once), position embeddings included. */
    long parameterCount();

    /** What ran: engine, threads, how the step runs. */
    String describe();

    @Override
    void close();
}
