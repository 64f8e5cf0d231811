package dev.llmforge.backend.nd4j;

import dev.llmforge.spi.FusedKernels.AdamWStep;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One AdamW step on F32 arrays in place, in Java on host copies ({@link HostFloats}): one loop over
 * the elements with PyTorch's formula, where libnd4j needed three passes (its Adam updater, the
 * decay, the subtraction) and a temporary.
 */
final class FloatAdamW {
    private FloatAdamW() {
    }

    /**
     * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
     * {@code p = p (1 - lr wd) - (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)}, as PyTorch's AdamW.
     */
    static void update(HostFloats h, INDArray param, INDArray grad, INDArray m, INDArray v, AdamWStep s) {
        float[] ps = h.read(param, 0);
        float[] gs = h.read(grad, 1);
        float[] ms = h.read(m, 2);
        float[] vs = h.read(v, 3);
        int n = Math.toIntExact(param.length());
        float b1 = (float) s.beta1();
        float c1 = (float) (1 - s.beta1());
        float b2 = (float) s.beta2();
        float c2 = (float) (1 - s.beta2());
        float decay = (float) (1 - s.lr() * s.weightDecay());
        float stepSize = (float) (s.lr() / (1 - Math.pow(s.beta1(), s.step())));
        float invSqrtBc2 = (float) (1 / Math.sqrt(1 - Math.pow(s.beta2(), s.step())));
        float eps = (float) s.eps();
        for (int i = 0; i < n; i++) {
            float g = gs[i];
            float mi = b1 * ms[i] + c1 * g;
            float vi = b2 * vs[i] + c2 * (g * g);
            ms[i] = mi;
            vs[i] = vi;
            ps[i] = ps[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps);
        }
        HostFloats.write(ps, param);
        HostFloats.write(ms, m);
        HostFloats.write(vs, v);
    }
}
