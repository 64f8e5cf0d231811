package dev.llmforge.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import dev.llmforge.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;

/** Assertions with messages that say which operation, shape, dtype and element went wrong. */
final class Expect {
    private Expect() {
    }

    /** Values read back from a tensor. */
    record Values(Shape shape, DType dtype, double[] data) {
        static Values of(Tensor t) {
            return new Values(t.shape(), t.dtype(), t.toDoubleArray());
        }

        double maxAbs() {
            double m = 0;
            for (double v : data) {
                if (Double.isFinite(v)) {
                    m = Math.max(m, Math.abs(v));
                }
            }
            return m;
        }
    }

    /** Same shape and dtype, and every element within the tolerance of {@code kind} for that dtype. */
    static void close(String what, Tolerance.Kind kind, Values expected, Values actual) {
        if (!expected.shape().equals(actual.shape()) || expected.dtype() != actual.dtype()) {
            fail(what + ": expected a result of " + expected.shape() + " " + expected.dtype() + ", got " + actual.shape() + " "
                    + actual.dtype());
        }
        close(what, Tolerance.of(kind, expected.dtype(), expected.maxAbs()), expected.shape(), expected.data(), actual.data());
    }

    /** Every element of {@code actual} within {@code tol} of {@code expected}; reports the worst one. */
    static void close(String what, Tolerance tol, Shape shape, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, () -> what + ": element count");
        int bad = 0;
        int worst = -1;
        double worstExcess = -1;
        for (int i = 0; i < expected.length; i++) {
            if (!tol.accepts(expected[i], actual[i])) {
                bad++;
                double diff = Math.abs(actual[i] - expected[i]);
                double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / (tol.atol() + tol.rtol() * Math.abs(expected[i]) + Double.MIN_VALUE);
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = i;
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d elements differ (tolerance %s); worst at %s (flat %d): expected %s, got %s, |diff| %.3e",
                    what, bad, expected.length, tol, index(shape, worst), worst, expected[worst], actual[worst],
                    Math.abs(actual[worst] - expected[worst])));
        }
    }

    /** Exact equality of whole numbers (indices, BOOL as 0/1, integer results). */
    static void exact(String what, Shape shape, double[] expected, double[] actual) {
        close(what, Tolerance.EXACT, shape, expected, actual);
    }

    /** Runs {@code body}, expecting {@code type} with a message containing every fragment. */
    static <T extends Throwable> T throwsNaming(Class<T> type, Executable body, String... fragments) {
        T e = assertThrows(type, body, () -> "expected " + type.getSimpleName() + " naming " + Arrays.toString(fragments));
        String message = String.valueOf(e.getMessage());
        for (String f : fragments) {
            if (!message.contains(f)) {
                fail(type.getSimpleName() + " message should name " + Arrays.toString(fragments) + " but was: " + message, e);
            }
        }
        return e;
    }

    /** "[1, 0, 2]" for a flat index into {@code shape}. */
    static String index(Shape shape, int flat) {
        int[] idx = new int[shape.rank()];
        int rest = flat;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            int size = Math.max(1, shape.dim(d));
            idx[d] = rest % size;
            rest /= size;
        }
        return Arrays.toString(idx);
    }
}
