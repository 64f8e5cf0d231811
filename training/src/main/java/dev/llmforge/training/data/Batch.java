package dev.llmforge.training.data;

/** Inputs and next-token targets of B windows of T tokens, row-major (B, T). */
public record Batch(long[] inputs, long[] targets, int batchSize, int blockSize) {
}
