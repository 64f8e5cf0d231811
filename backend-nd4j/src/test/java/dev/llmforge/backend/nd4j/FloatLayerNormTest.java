package dev.llmforge.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmforge.spi.FusedKernels;
import dev.llmforge.spi.Kernels;
import dev.llmforge.spi.NativeTensor;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.DType;
import dev.llmforge.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The F32 layer norm runs in Java ({@link FloatLayerNorm}); its output and all three gradients must
 * match the F64 path (libnd4j's kernels) on rows wider than the kit's, of a length that is not a
 * multiple of the partial sums' four, with a large common offset (the variance is taken around the
 * mean, not as E[x^2] - mean^2).
 */
class FloatLayerNormTest {
    private static final int ROWS = 37;
    private static final int C = 131;

    private final Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
    private final Kernels k = backend.kernels();
    private final FusedKernels f = backend.fused();

    @Test
    void matchesTheF64KernelsWithWeightAndBias() {
        matchesF64(true, true);
    }

    @Test
    void matchesTheF64KernelsWithoutWeightOrBias() {
        matchesF64(false, false);
    }

    @Test
    void matchesTheF64KernelsWithWeightOnly() {
        matchesF64(true, false);
    }

    private void matchesF64(boolean withWeight, boolean withBias) {
        SplittableRandom rng = new SplittableRandom(7);
        double[] x = new double[ROWS * C];
        double[] g = new double[ROWS * C];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (100 + 3 * rng.nextGaussian());
            g[i] = (float) rng.nextGaussian();
        }
        double[] w = new double[C];
        double[] b = new double[C];
        for (int j = 0; j < C; j++) {
            w[j] = (float) (1 + 0.5 * rng.nextGaussian());
            b[j] = (float) rng.nextGaussian();
        }
        double[][] single = layerNorm(x, withWeight ? w : null, withBias ? b : null, g, DType.F32);
        double[][] wide = layerNorm(x, withWeight ? w : null, withBias ? b : null, g, DType.F64);
        String[] names = {"y", "dx", "dweight", "dbias"};
        for (int t = 0; t < names.length; t++) {
            if (wide[t] == null) {
                continue;
            }
            double max = 0;
            for (double v : wide[t]) {
                max = Math.max(max, Math.abs(v));
            }
            for (int i = 0; i < wide[t].length; i++) {
                assertEquals(wide[t][i], single[t][i], 2e-5 * max, names[t] + "[" + i + "]");
            }
        }
    }

    /** {y, dx, dweight, dbias} (null where there is no weight or bias). */
    private double[][] layerNorm(double[] x, double[] w, double[] b, double[] g, DType dtype) {
        Shape shape = Shape.of(ROWS, C);
        try (NativeTensor xt = HostValues.upload(k, x, shape, dtype); NativeTensor gt = HostValues.upload(k, g, shape, dtype);
             NativeTensor wt = w == null ? null : HostValues.upload(k, w, Shape.of(C), dtype);
             NativeTensor bt = b == null ? null : HostValues.upload(k, b, Shape.of(C), dtype)) {
            FusedKernels.Result r = f.layerNorm(xt, wt, bt, 1e-5, true);
            NativeTensor[] d = f.layerNormBackward(xt, wt, bt, 1e-5, r, gt);
            try {
                return new double[][] {HostValues.download(k, r.output()), HostValues.download(k, d[0]),
                    d[1] == null ? null : HostValues.download(k, d[1]),
                    d[2] == null ? null : HostValues.download(k, d[2])};
            } finally {
                r.output().close();
                r.saved().forEach(NativeTensor::close);
                for (NativeTensor t : d) {
                    if (t != null) {
                        t.close();
                    }
                }
            }
        }
    }
}
