package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.GeluConstants;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Both GELU forms and their backwards for F32, in Java on host copies ({@link HostFloats}).
 * libnd4j's {@code erf}, {@code exp} and {@code sigmoid} are scalar library loops, each many times
 * the cost of a multiply over the same array (nanoGPT's feed-forward activation; figures in the
 * module README, GELU). Here erf and tanh are rational approximations and the Gaussian
 * {@code exp(-x^2/2)} a polynomial raised to the 64th power, plain float multiplies, adds and
 * divides in one loop that the JIT vectorizes.
 *
 * <p>Accuracy: erf and tanh are Eigen's single-precision rational approximations; the Gaussian's
 * error is given at {@link #gaussian}. {@code FloatGeluTest} holds both GELU forms to the F64 path
 * (libnd4j's erf, exp and sigmoid) from -20 to 20 within 1e-6 (output) and 1e-5 (gradient) of
 * max(1, |value|), far inside the kit's F32 tolerance for fused ops (1e-4 of the largest magnitude).
 *
 * <p>Each forward also writes what its backward needs ({@code Phi(x)}, or
 * {@code s = 0.5 (1 + tanh u)} for the tanh form), so no backward recomputes a transcendental.
 */
final class FloatGelu {
    private static final float INV_SQRT_2 = (float) GeluConstants.INV_SQRT_2;
    private static final float INV_SQRT_2PI = (float) GeluConstants.INV_SQRT_2PI;
    private static final float SQRT_2_OVER_PI = (float) GeluConstants.SQRT_2_OVER_PI;
    private static final float CUBIC_COEFFICIENT = (float) GeluConstants.CUBIC_COEFFICIENT;

    private FloatGelu() {
    }

    /** {@code y = x Phi(x)} and {@code cdf = Phi(x)}. */
    static void exactForward(HostFloats h, INDArray x, INDArray cdf, INDArray y) {
        float[] xs = h.read(x, 0);
        int n = Math.toIntExact(x.length());
        float[] phi = h.take(1, n);
        float[] ys = h.take(2, n);
        for (int i = 0; i < n; i++) {
            float v = xs[i];
            float c = 0.5f + 0.5f * erf(v * INV_SQRT_2);
            phi[i] = c;
            ys[i] = v * c;
        }
        HostFloats.write(phi, cdf);
        HostFloats.write(ys, y);
    }

    /** {@code out = g (Phi(x) + x phi(x))}, with {@code Phi(x)} from {@link #exactForward}. */
    static void exactBackward(HostFloats h, INDArray x, INDArray cdf, INDArray g, INDArray out) {
        float[] xs = h.read(x, 0);
        float[] c = h.read(cdf, 1);
        float[] gs = h.read(g, 2);
        int n = Math.toIntExact(x.length());
        for (int i = 0; i < n; i++) {
            float v = xs[i];
            gs[i] *= c[i] + v * INV_SQRT_2PI * gaussian(v);
        }
        HostFloats.write(gs, out);
    }

    /** {@code y = x s} and {@code s = 0.5 (1 + tanh u)}, {@code u = sqrt(2/pi) (x + 0.044715 x^3)}. */
    static void tanhForward(HostFloats h, INDArray x, INDArray sOut, INDArray y) {
        float[] xs = h.read(x, 0);
        int n = Math.toIntExact(x.length());
        float[] ss = h.take(1, n);
        float[] ys = h.take(2, n);
        for (int i = 0; i < n; i++) {
            float v = xs[i];
            float u = SQRT_2_OVER_PI * (v + CUBIC_COEFFICIENT * v * v * v);
            float s = 0.5f + 0.5f * tanh(u);
            ss[i] = s;
            ys[i] = v * s;
        }
        HostFloats.write(ss, sOut);
        HostFloats.write(ys, y);
    }

    /**
     * {@code out = g (s + 2 x s (1 - s) u')}, {@code u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)}, with s
     * from {@link #tanhForward}.
     */
    static void tanhBackward(HostFloats h, INDArray x, INDArray sIn, INDArray g, INDArray out) {
        float[] xs = h.read(x, 0);
        float[] ss = h.read(sIn, 1);
        float[] gs = h.read(g, 2);
        int n = Math.toIntExact(x.length());
        for (int i = 0; i < n; i++) {
            float v = xs[i];
            float s = ss[i];
            float du = SQRT_2_OVER_PI * (1 + 3 * CUBIC_COEFFICIENT * v * v);
            gs[i] *= s + 2 * v * s * (1 - s) * du;
        }
        HostFloats.write(gs, out);
    }

    /**
     * tanh for floats: Eigen's rational approximation on [-7.905, 7.905] (beyond that tanh is +-1
     * in float); NaN stays NaN.
     */
    static float tanh(float v) {
        float x = Math.max(-7.90531110763549805f, Math.min(7.90531110763549805f, v));
        float x2 = x * x;
        float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
        p = x2 * p + -8.60467152213735e-11f;
        p = x2 * p + 5.12229709037114e-08f;
        p = x2 * p + 1.48572235717979e-05f;
        p = x2 * p + 6.37261928875436e-04f;
        p = x2 * p + 4.89352455891786e-03f;
        p = x * p;
        float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
        q = x2 * q + 2.26843463243900e-03f;
        q = x2 * q + 4.89352518554385e-03f;
        return p / q;
    }

    /** erf for floats: Eigen's rational approximation on [-4, 4] (beyond that erf is +-1 in float). */
    static float erf(float v) {
        float x = Math.max(-4f, Math.min(4f, v));
        float x2 = x * x;
        float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
        p = x2 * p + -2.10102402082508e-06f;
        p = x2 * p + -5.69250639462346e-05f;
        p = x2 * p + -7.34990630326855e-04f;
        p = x2 * p + -2.95459980854025e-03f;
        p = x2 * p + -1.60960333262415e-02f;
        p = x * p;
        float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
        q = x2 * q + -1.68282697438203e-03f;
        q = x2 * q + -7.37332916720468e-03f;
        q = x2 * q + -1.42647390514189e-02f;
        return p / q;
    }

    /**
     * {@code exp(-v^2 / 2)} as {@code (e^s)^64} with {@code s = -v^2 / 128}: a degree-6 Taylor
     * polynomial on {@code s} in [-0.39, 0] for {@code |v| <= 7}, squared six times (relative error
     * below 6e-6 for {@code |v| <= 5}, and max(1, |v|) times the absolute error below 3.2e-6 up to 20).
     * Only multiplies and adds, so the loop vectorizes (an exponent-bits {@code 2^k} does not). |v|
     * is clamped at 16, where the result underflows to 0; NaN stays NaN.
     */
    static float gaussian(float v) {
        float x = Math.min(Math.abs(v), 16f);
        float s = x * x * (-0.5f / 64f);
        float p = (1f / 720) * s + (1f / 120);
        p = p * s + (1f / 24);
        p = p * s + (1f / 6);
        p = p * s + 0.5f;
        p = p * s + 1f;
        p = p * s + 1f;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p;
    }
}
