package dev.llmforge.tck;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.SplittableRandom;

/** Seeded host-side data for the contracts; the seed comes from a label, so every run sees the same data. */
final class Rng {
    private final SplittableRandom random;

    Rng(String label) {
        this.random = new SplittableRandom(0x11F0_A6E5L ^ label.hashCode());
    }

    /** Uniform values in [lo, hi). */
    HostTensor uniform(DType dtype, Shape shape, double lo, double hi) {
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * random.nextDouble();
        }
        return new HostTensor(shape, dtype, v);
    }

    HostTensor uniform(DType dtype, int[] dims, double lo, double hi) {
        return uniform(dtype, Shape.of(dims), lo, hi);
    }

    /** Values with |v| in [lo, hi) and a random sign: safe denominators. */
    HostTensor awayFromZero(DType dtype, int[] dims, double lo, double hi) {
        Shape shape = Shape.of(dims);
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            double magnitude = lo + (hi - lo) * random.nextDouble();
            v[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
        return new HostTensor(shape, dtype, v);
    }

    /** Whole numbers in [lo, hi], in any numeric dtype (small ranges make ties and equalities common). */
    HostTensor ints(DType dtype, int[] dims, int lo, int hi) {
        Shape shape = Shape.of(dims);
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + random.nextInt(hi - lo + 1);
        }
        return new HostTensor(shape, dtype, v);
    }

    /** Whole non-zero numbers in [-bound, bound]. */
    HostTensor nonZeroInts(DType dtype, int[] dims, int bound) {
        Shape shape = Shape.of(dims);
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            int m = 1 + random.nextInt(bound);
            v[i] = random.nextBoolean() ? m : -m;
        }
        return new HostTensor(shape, dtype, v);
    }

    HostTensor bools(int[] dims) {
        return ints(DType.BOOL, dims, 0, 1);
    }

    /**
     * Pairwise distinct values at least 0.05 apart, shuffled, in about [-n/20, n/20): no ties, so
     * max and maximum have a unique winner even under a finite-difference step.
     */
    HostTensor distinct(DType dtype, int[] dims) {
        Shape shape = Shape.of(dims);
        int n = shape.size();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2.0) * 0.1 + 0.04 * random.nextDouble();
        }
        shuffle(v);
        return new HostTensor(shape, dtype, v);
    }

    /** Indices in [0, size) in I32 or I64; the last equals the first, so an index repeats. */
    HostTensor indices(DType dtype, int[] dims, int size) {
        Shape shape = Shape.of(dims);
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(size);
        }
        if (v.length >= 2) {
            v[v.length - 1] = v[0]; // a guaranteed repeat
        }
        return new HostTensor(shape, dtype, v);
    }

    double nextDouble() {
        return random.nextDouble();
    }

    private void shuffle(double[] v) {
        for (int i = v.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }
}
