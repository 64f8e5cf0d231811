package dev.llmforge.benchmarks.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The machine's measured matrix-multiply peak for the MFU denominator: F32 square matmuls on
 * PyTorch through DJL with the run's thread count, the best of a few sizes, each timed for at
 * least 0.3 s after a warm-up.
 */
final class GemmProbe {
    private static final int[] SIZES = {256, 512, 1024};

    private GemmProbe() {
    }

    /** Best GFLOP/s over the sizes. */
    static double peakGflops() {
        double best = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int n : SIZES) {
                best = Math.max(best, gflops(manager, n));
            }
        }
        return best;
    }

    private static double gflops(NDManager manager, int n) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            for (int i = 0; i < 3; i++) {
                a.matMul(b).close();
            }
            long start = System.nanoTime();
            int reps = 0;
            double best = 0;
            while (System.nanoTime() - start < 300_000_000L || reps < 5) {
                long t0 = System.nanoTime();
                a.matMul(b).close();
                double seconds = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / seconds / 1e9);
                reps++;
            }
            return best;
        }
    }
}
