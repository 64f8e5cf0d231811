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
 * The F32 softmax kernels written in Java, {@link FloatCausalSoftmax} (causal attention) and
 * {@link FloatCrossEntropy}, must match the F64 path (libnd4j's exp and log_softmax) on values far
 * wider than the kit's cases; the attention with exact zeros for the keys a query does not see.
 */
class FloatSoftmaxKernelsTest {
    private final Nd4jBackend backend = (Nd4jBackend) Backends.get(Nd4jBackend.NAME);
    private final Kernels k = backend.kernels();
    private final FusedKernels f = backend.fused();

    @Test
    void attentionMatchesTheF64PathWithExactZerosForUnseenKeys() {
        int b = 2;
        int h = 3;
        int tq = 5;
        int tk = 9;
        int d = 4;
        double[] q = values(b * h * tq * d, 3.0, 0.7);
        double[] key = values(b * h * tk * d, 2.5, 1.3);
        double[] v = values(b * h * tk * d, 1.0, 2.1);
        double scale = 0.5; // scores up to about +-15
        double[][] single = attention(q, key, v, scale, DType.F32, b, h, tq, tk, d);
        double[][] wide = attention(q, key, v, scale, DType.F64, b, h, tq, tk, d);
        for (int i = 0; i < wide[0].length; i++) {
            assertEquals(wide[0][i], single[0][i], 1e-5, "output element " + i);
        }
        for (int i = 0; i < wide[1].length; i++) {
            int query = i / tk % tq;
            int keyAt = i % tk;
            if (keyAt > tk - tq + query) {
                assertEquals(0.0, single[1][i], "query " + query + " does not see key " + keyAt);
            } else {
                assertEquals(wide[1][i], single[1][i], 1e-6, "probability " + i);
            }
        }
    }

    @Test
    void aNaNKeyReachesOnlyTheQueriesThatSeeIt() {
        int tq = 4;
        int d = 2;
        double[] q = values(tq * d, 1.0, 0.3);
        double[] key = values(tq * d, 1.0, 0.9);
        key[key.length - 1] = Double.NaN; // the last key
        double[] v = values(tq * d, 1.0, 1.7);
        double[][] r = attention(q, key, v, 1.0, DType.F32, 1, 1, tq, tq, d);
        for (int i = 0; i < r[0].length; i++) {
            boolean seesIt = i / d == tq - 1;
            assertEquals(seesIt, Double.isNaN(r[0][i]), "output element " + i);
        }
    }

    @Test
    void crossEntropyMatchesTheF64PathWithIgnoredTargets() {
        int rows = 37;
        int classes = 65;
        double[] logits = values(rows * classes, 40, 0.2);
        double[] targets = new double[rows];
        for (int i = 0; i < rows; i++) {
            targets[i] = i % 5 == 0 ? -100 : (i * 7) % classes;
        }
        double[][] single = crossEntropy(logits, targets, DType.F32, rows, classes);
        double[][] wide = crossEntropy(logits, targets, DType.F64, rows, classes);
        assertEquals(wide[0][0], single[0][0], 1e-5 * Math.abs(wide[0][0]), "loss");
        for (int i = 0; i < wide[1].length; i++) {
            assertEquals(wide[1][i], single[1][i], 1e-5 * Math.max(1, Math.abs(wide[1][i])), "log-probability " + i);
            assertEquals(wide[2][i], single[2][i], 1e-7, "gradient " + i);
        }
    }

    /** {loss, log-probabilities, logits' gradient for 0.7 upstream} of the softmax cross-entropy (ignore index -100). */
    private double[][] crossEntropy(double[] logits, double[] targets, DType dtype, int rows, int classes) {
        try (NativeTensor x = HostValues.upload(k, logits, Shape.of(rows, classes), dtype);
             NativeTensor t = HostValues.upload(k, targets, Shape.of(rows), DType.I64);
             NativeTensor g = HostValues.upload(k, new double[] {0.7}, Shape.scalar(), dtype)) {
            FusedKernels.Result r = f.softmaxCrossEntropy(x, t, -100, true);
            try (NativeTensor loss = r.output(); NativeTensor logp = r.saved(0);
                 NativeTensor dx = f.softmaxCrossEntropyBackward(x, t, -100, r, g)) {
                return new double[][] {HostValues.download(k, loss), HostValues.download(k, logp), HostValues.download(k, dx)};
            }
        }
    }

    private static double[] values(int n, double amplitude, double phase) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = (float) (amplitude * Math.sin(1.7 * i + phase)); // values exact in F32
        }
        return r;
    }

    /** {output, probabilities} of causal attention in {@code dtype}. */
    private double[][] attention(double[] q, double[] key, double[] v, double scale, DType dtype, int b, int h, int tq, int tk,
                                 int d) {
        try (NativeTensor qt = HostValues.upload(k, q, Shape.of(b, h, tq, d), dtype);
             NativeTensor kt = HostValues.upload(k, key, Shape.of(b, h, tk, d), dtype);
             NativeTensor vt = HostValues.upload(k, v, Shape.of(b, h, tk, d), dtype)) {
            FusedKernels.Result r = f.causalAttention(qt, kt, vt, scale, false);
            try (NativeTensor out = r.output(); NativeTensor probs = r.saved(0)) {
                return new double[][] {HostValues.download(k, out), HostValues.download(k, probs)};
            }
        }
    }
}
