package dev.llmforge.backend.nd4j;

/**
 * {@code e^x} for F32 {@code x <= 0} (softmax exponents after subtracting the row max), in plain
 * float multiplies and adds, so that a loop over an array of them vectorizes: libnd4j's
 * {@code exp} is a scalar library loop, and Java's {@code Math.exp} is slower still; this is
 * several times faster than either on attention scores (figures in the module README, "What runs
 * where").
 *
 * <p>Accuracy: over every float from -1e-4 to -100, within 2.4e-6 relative for {@code x > -5},
 * 8.1e-6 for {@code x > -20}, and 8.8e-7 absolute ({@code FloatExpTest} holds it to 2.5e-6,
 * 8.5e-6 and 9e-7), far inside the kit's F32 tolerance for fused ops (1e-4 of the largest
 * magnitude).
 */
final class FloatExp {
    private FloatExp() {
    }

    /**
     * {@code e^x} for {@code x <= 0}, in multiplies and adds only, so that loops over it vectorize
     * (an exponent-bits {@code 2^k} does not): {@code q = e^s - 1} for {@code s = x / 128} by a
     * degree-6 Taylor polynomial, squared three times as {@code q (2 + q)} (which keeps q's
     * relative precision), then {@code (1 + q)^16}. x is clamped at -80, where the result (1.8e-35)
     * is still a normal float: denormals would make the loop several times slower. NaN stays NaN.
     */
    static float ofNonPositive(float x) {
        float s = Math.max(x, -80f) * (1f / 128);
        float q = (1f / 720) * s + (1f / 120);
        q = q * s + (1f / 24);
        q = q * s + (1f / 6);
        q = q * s + 0.5f;
        q = q * s + 1f;
        q *= s; // e^(x / 128) - 1
        q *= 2 + q;
        q *= 2 + q;
        q *= 2 + q; // e^(x / 16) - 1
        float p = 1 + q;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p;
    }
}
