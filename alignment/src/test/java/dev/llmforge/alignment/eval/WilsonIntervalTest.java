package dev.llmforge.alignment.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WilsonIntervalTest {
    /** Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (score). */
    @Test
    void matchesNewcombesTable() {
        assertInterval(0.2553, 0.3662, WilsonInterval.of(81, 263));
        assertInterval(0.0624, 0.1605, WilsonInterval.of(15, 148));
        assertInterval(0.0000, 0.1611, WilsonInterval.of(0, 20));
        assertInterval(0.0061, 0.1718, WilsonInterval.of(1, 29));
    }

    @Test
    void staysInsideZeroToOneAndContainsTheProportion() {
        WilsonInterval all = WilsonInterval.of(10, 10);
        assertEquals(1.0, all.high(), 1e-12);
        assertTrue(all.low() > 0.7 && all.low() < 0.75, String.valueOf(all.low()));
        WilsonInterval half = WilsonInterval.of(150, 300);
        assertEquals(1.0, half.low() + half.high(), 1e-12, "symmetric around 1/2");
        assertTrue(half.low() < 0.5 && half.high() > 0.5);
    }

    @Test
    void refusesImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(0, 0));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(4, 3));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(-1, 3));
    }

    private static void assertInterval(double low, double high, WilsonInterval actual) {
        assertEquals(low, actual.low(), 5e-5, "low");
        assertEquals(high, actual.high(), 5e-5, "high");
    }
}
