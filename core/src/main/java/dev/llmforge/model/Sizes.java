package dev.llmforge.model;

/** Sums and products of element counts that saturate at {@link Long#MAX_VALUE} instead of overflowing (sizes from untrusted files). */
public final class Sizes {
    private Sizes() {
    }

    /** {@code a · b} for non-negative counts, or {@link Long#MAX_VALUE} if it does not fit a long. */
    public static long product(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The sum of non-negative counts, or {@link Long#MAX_VALUE} if it does not fit a long. */
    public static long sum(long... counts) {
        long total = 0;
        for (long n : counts) {
            try {
                total = Math.addExact(total, n);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return total;
    }
}
