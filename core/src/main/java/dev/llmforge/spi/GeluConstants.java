package dev.llmforge.spi;

/**
 * The numbers in GELU, defined once for core's composition and every backend's kernels, so that
 * all of them compute the same function:
 *
 * <ul>
 *   <li>exact: {@code x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}, derivative {@code Phi(x) + x phi(x)}
 *       with {@code phi(x) = exp(-x^2 / 2) / sqrt(2 pi)};</li>
 *   <li>GPT-2's tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))}.</li>
 * </ul>
 */
public final class GeluConstants {
    /** {@code sqrt(2 / pi)}, the scale of the tanh form's argument. */
    public static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    /** 0.044715, the weight of {@code x^3} in the tanh form's argument. */
    public static final double CUBIC_COEFFICIENT = 0.044715;
    /** {@code 1 / sqrt 2}, the scale of erf's argument in the exact form. */
    public static final double INV_SQRT_2 = 1 / Math.sqrt(2);
    /** {@code 1 / sqrt(2 pi)}, the factor of the standard normal density in the exact form's derivative. */
    public static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private GeluConstants() {
    }
}
