package dev.llmforge.backend.nd4j;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer norm over the last axis and its backward for F32, in Java on host copies
 * ({@link HostFloats}). On libnd4j the forward took 7 ops and the backward 12 (figures in the
 * module README), each a pass over the whole array, most of them broadcasting a row or a
 * column; here each is one pass per row, with the mean and the reciprocal standard deviation saved
 * for the backward exactly as the libnd4j path saves them.
 */
final class FloatLayerNorm {
    private FloatLayerNorm() {
    }

    /**
     * {@code y = (x - mean) rstd w + b} over rows of {@code c}, with {@code rstd = 1 / sqrt(var + eps)}
     * (biased variance); {@code weight} and {@code bias} (C) may be null.
     *
     * @param x    (rows, c) in row-major order
     * @param mean (rows) out
     * @param rstd (rows) out
     * @param y    (rows, c) out
     */
    static void forward(HostFloats h, INDArray x, INDArray weight, INDArray bias, double eps, int rows, int c,
                        INDArray mean, INDArray rstd, INDArray y) {
        float[] xs = h.read(x, 0); // becomes y, row by row
        float[] mu = h.take(1, rows);
        float[] rs = h.take(2, rows);
        float[] w = weightOrOnes(h, weight, 3, c);
        float[] b = biasOrZeros(h, bias, 4, c);
        float[] row = h.take(5, c);
        float inv = 1f / c;
        for (int r = 0; r < rows; r++) {
            // each row is copied to offset 0 first: the JIT vectorizes a loop only where every
            // array is indexed alike (here w[j] and b[j] against row[j])
            int o = r * c;
            System.arraycopy(xs, o, row, 0, c);
            float m = HostFloats.sum(row, 0, c) * inv;
            for (int j = 0; j < c; j++) {
                row[j] -= m;
            }
            float s = (float) (1 / Math.sqrt(HostFloats.dot(row, 0, row, 0, c) * inv + eps));
            for (int j = 0; j < c; j++) {
                row[j] = row[j] * s * w[j] + b[j];
            }
            System.arraycopy(row, 0, xs, o, c);
            mu[r] = m;
            rs[r] = s;
        }
        HostFloats.write(xs, y);
        HostFloats.write(mu, mean);
        HostFloats.write(rs, rstd);
    }

    /**
     * {@code dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))} with {@code dxhat = g w},
     * {@code dw = sum over rows of g xhat}, {@code db = sum over rows of g}; {@code dw} and
     * {@code db} may be null (not wanted).
     */
    static void backward(HostFloats h, INDArray x, INDArray weight, INDArray mean, INDArray rstd, INDArray g, int rows, int c,
                         INDArray dx, INDArray dw, INDArray db) {
        float[] xs = h.read(x, 0); // becomes dx, row by row
        float[] gs = h.read(g, 1);
        float[] mu = h.read(mean, 2);
        float[] rs = h.read(rstd, 3);
        float[] w = weightOrOnes(h, weight, 4, c);
        float[] dws = zeros(h, 5, c);
        float[] dbs = zeros(h, 6, c);
        float[] xhat = h.take(7, c);
        float[] dxhat = h.take(8, c);
        float[] grow = h.take(9, c);
        float inv = 1f / c;
        for (int r = 0; r < rows; r++) {
            int o = r * c; // rows copied to offset 0, as in forward
            float m = mu[r];
            float s = rs[r];
            System.arraycopy(xs, o, xhat, 0, c);
            System.arraycopy(gs, o, grow, 0, c);
            for (int j = 0; j < c; j++) {
                float xh = (xhat[j] - m) * s;
                float gj = grow[j];
                xhat[j] = xh;
                dxhat[j] = gj * w[j];
                dws[j] += gj * xh;
                dbs[j] += gj;
            }
            float meanD = HostFloats.sum(dxhat, 0, c) * inv;
            float meanDx = HostFloats.dot(dxhat, 0, xhat, 0, c) * inv;
            for (int j = 0; j < c; j++) {
                xhat[j] = s * (dxhat[j] - meanD - xhat[j] * meanDx);
            }
            System.arraycopy(xhat, 0, xs, o, c);
        }
        HostFloats.write(xs, dx);
        if (dw != null) {
            HostFloats.write(dws, dw);
        }
        if (db != null) {
            HostFloats.write(dbs, db);
        }
    }

    private static float[] weightOrOnes(HostFloats h, INDArray weight, int slot, int c) {
        if (weight != null) {
            return h.read(weight, slot);
        }
        float[] ones = h.take(slot, c);
        Arrays.fill(ones, 0, c, 1f);
        return ones;
    }

    private static float[] biasOrZeros(HostFloats h, INDArray bias, int slot, int c) {
        return bias != null ? h.read(bias, slot) : zeros(h, slot, c);
    }

    private static float[] zeros(HostFloats h, int slot, int n) {
        float[] z = h.take(slot, n);
        Arrays.fill(z, 0, n, 0f);
        return z;
    }
}
