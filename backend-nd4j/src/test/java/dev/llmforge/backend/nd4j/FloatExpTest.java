package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link FloatExp} keeps the accuracy its documentation states, against {@code Math.exp}. */
class FloatExpTest {
    /** Every fifth float from -1e-4 down to -100 (28 million), and a grid from 0 to -1e-4. */
    @Test
    void expKeepsItsStatedAccuracyFromMinus100To0() {
        for (int bits = Float.floatToRawIntBits(-1e-4f); Float.intBitsToFloat(bits) >= -100; bits += 5) {
            expIsAccurateAt(Float.intBitsToFloat(bits));
        }
        for (int i = 0; i <= 10_000; i++) {
            expIsAccurateAt(-1e-8f * i);
        }
        assertEquals(1f, FloatExp.ofNonPositive(0f));
        assertTrue(Float.isNaN(FloatExp.ofNonPositive(Float.NaN)));
    }

    private static void expIsAccurateAt(float x) {
        double want = Math.exp(x);
        double error = Math.abs(FloatExp.ofNonPositive(x) - want);
        assertTrue(error <= 9e-7, () -> "absolute error at " + x + ": " + error);
        if (x > -5) {
            assertTrue(error <= 2.5e-6 * want, () -> "relative error at " + x + ": " + error / want);
        } else if (x > -20) {
            assertTrue(error <= 8.5e-6 * want, () -> "relative error at " + x + ": " + error / want);
        }
    }
}
