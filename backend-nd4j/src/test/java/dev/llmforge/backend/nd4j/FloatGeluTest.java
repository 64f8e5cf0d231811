package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * The F32 GELU runs in Java on approximations of erf, tanh and exp ({@link FloatGelu}); its forward
 * and backward, in both forms, must match the F64 path (libnd4j's erf, exp and sigmoid) over a range
 * far wider than the kit's cases, and keep NaN and infinities as the formula gives them.
 */
class FloatGeluTest {
    private static final int N = 200_001;

    private final Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
    private final Kernels k = backend.kernels();
    private final FusedKernels f = backend.fused();

    @Test
    void exactFormMatchesTheF64KernelsFromMinus20To20() {
        matchesF64(false);
    }

    @Test
    void tanhFormMatchesTheF64KernelsFromMinus20To20() {
        matchesF64(true);
    }

    private void matchesF64(boolean tanh) {
        double[] xs = new double[N];
        double[] gs = new double[N];
        for (int i = 0; i < N; i++) {
            xs[i] = (float) (-20 + 40.0 * i / (N - 1)); // values exact in F32
            gs[i] = (float) (1 + 0.5 * Math.sin(i));
        }
        double[][] single = gelu(xs, gs, DType.F32, tanh);
        double[][] wide = gelu(xs, gs, DType.F64, tanh);
        for (int i = 0; i < N; i++) {
            double x = xs[i];
            assertEquals(wide[0][i], single[0][i], 1e-6 * Math.max(1, Math.abs(wide[0][i])), "gelu(" + x + "), tanh " + tanh);
            assertEquals(wide[1][i], single[1][i], 1e-5 * Math.max(1, Math.abs(wide[1][i])),
                    "gelu'(" + x + ") * g, tanh " + tanh);
        }
    }

    @Test
    void nanAndInfinitiesFollowTheExactFormula() {
        double[] xs = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[][] r = gelu(xs, new double[] {1, 1, 1}, DType.F32, false);
        assertTrue(Double.isNaN(r[0][0]) && Double.isNaN(r[1][0]), "NaN in, NaN out");
        assertEquals(Double.POSITIVE_INFINITY, r[0][1], "gelu(+inf)");
        assertTrue(Double.isNaN(r[0][2]), "gelu(-inf) = -inf * 0");
        assertTrue(Double.isNaN(r[1][1]) && Double.isNaN(r[1][2]), "gelu'(+-inf) has inf * 0, as in x * phi(x)");
    }

    @Test
    void nanStaysNaNInTheTanhForm() {
        double[][] r = gelu(new double[] {Double.NaN, 1}, new double[] {1, 1}, DType.F32, true);
        assertTrue(Double.isNaN(r[0][0]) && Double.isNaN(r[1][0]), "NaN in, NaN out");
    }

    /** {output, gradient} of the GELU at {@code xs} with upstream gradient {@code gs}, in {@code dtype}. */
    private double[][] gelu(double[] xs, double[] gs, DType dtype, boolean tanh) {
        try (NativeTensor x = HostValues.upload(k, xs, Shape.of(xs.length), dtype);
             NativeTensor g = HostValues.upload(k, gs, Shape.of(gs.length), dtype)) {
            FusedKernels.Result r = f.gelu(x, tanh, true);
            try (NativeTensor y = r.output(); NativeTensor saved = r.saved(0); NativeTensor dx = f.geluBackward(x, tanh, r, g)) {
                return new double[][] {HostValues.download(k, y), HostValues.download(k, dx)};
            }
        }
    }
}
