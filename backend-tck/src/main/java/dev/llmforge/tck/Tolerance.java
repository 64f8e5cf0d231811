package dev.llmforge.tck;

import dev.llmforge.tensor.DType;

/**
 * How close a backend's result must be to the expected one: element-wise
 * {@code |actual - expected| <= atol + rtol * |expected|}.
 *
 * <p>The bounds: the reference computes in double and rounds once, so an F32 element-wise kernel
 * (a few ulp, 1 ulp = 6e-8 relative) is held to 1e-5; a reduction or matmul accumulates rounding
 * over its terms in a backend-specific order, so it is held to 1e-4 of the result's largest
 * magnitude. F64 gets 1e-12 for both (about 4,500 ulp: libm-quality functions and any summation
 * order over the kit's small sizes stay far inside it).
 */
record Tolerance(double rtol, double atol) {

    /** How an operation's rounding error behaves. */
    enum Kind {
        /** Movement, comparisons, integer arithmetic, casts: bit-exact. */
        EXACT,
        /** One rounding per element. */
        ELEMENTWISE,
        /** Sums of several rounded terms (reductions, matmul, fused ops and gradients). */
        ACCUMULATED
    }

    static final Tolerance EXACT = new Tolerance(0, 0);

    /** The tolerance for a result of {@code dtype} whose largest magnitude is {@code magnitude}. */
    static Tolerance of(Kind kind, DType dtype, double magnitude) {
        if (kind == Kind.EXACT || !dtype.isFloating()) {
            return EXACT;
        }
        boolean single = dtype != DType.F64;
        if (kind == Kind.ELEMENTWISE) {
            return single ? new Tolerance(1e-5, 1e-6) : new Tolerance(1e-12, 1e-14);
        }
        double rtol = single ? 1e-4 : 1e-12;
        return new Tolerance(rtol, rtol * magnitude);
    }

    boolean accepts(double expected, double actual) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return expected == actual;
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    @Override
    public String toString() {
        return this == EXACT || (rtol == 0 && atol == 0) ? "exact" : String.format("rtol %.1e, atol %.1e", rtol, atol);
    }
}
