package dev.llmforge.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmforge.spi.Backend;
import dev.llmforge.tensor.Backends;
import dev.llmforge.tensor.Dispatch;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorFactory;
import dev.llmforge.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimTest {
    private final Backend backend = Backends.get("reference");
    private final TensorFactory t = Tensor.on(backend);

    private Tensor param(float... v) {
        return t.of(v, v.length).requiresGrad(true);
    }

    private Tensor matrix(float... v) {
        return t.of(v, 1, v.length).requiresGrad(true);
    }

    private static void setGrad(Tensor p, float... g) {
        p.setGrad(Tensor.on(p.backend()).of(g, p.shape().dims()));
    }

    @Test
    void adamWFollowsPyTorchForTwoSteps() {
        Tensor w = matrix(1f, -2f);
        Tensor b = param(0.5f);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("b", b);
        double lr = 0.1;
        double b1 = 0.9;
        double b2 = 0.99;
        double eps = 1e-8;
        double wd = 0.5;
        AdamW opt = AdamW.builder(params).lr(lr).betas(b1, b2).eps(eps).weightDecay(wd).build();
        double[] pw = {1, -2};
        double pb = 0.5;
        double[] mw = new double[2];
        double[] vw = new double[2];
        double mb = 0;
        double vb = 0;
        float[][] grads = {{0.2f, -0.4f, 1f}, {-0.1f, 0.3f, 2f}};
        for (int s = 1; s <= 2; s++) {
            setGrad(w, grads[s - 1][0], grads[s - 1][1]);
            setGrad(b, grads[s - 1][2]);
            opt.step();
            double bc1 = 1 - Math.pow(b1, s);
            double bc2 = 1 - Math.pow(b2, s);
            for (int i = 0; i < 2; i++) {
                double g = grads[s - 1][i];
                pw[i] *= 1 - lr * wd; // decoupled decay, matrices only
                mw[i] = b1 * mw[i] + (1 - b1) * g;
                vw[i] = b2 * vw[i] + (1 - b2) * g * g;
                pw[i] -= lr * (mw[i] / bc1) / (Math.sqrt(vw[i] / bc2) + eps);
            }
            double g = grads[s - 1][2];
            mb = b1 * mb + (1 - b1) * g;
            vb = b2 * vb + (1 - b2) * g * g;
            pb -= lr * (mb / bc1) / (Math.sqrt(vb / bc2) + eps);
        }
        assertArrayEquals(new float[] {(float) pw[0], (float) pw[1]}, w.toFloatArray(), 1e-6f);
        assertEquals(pb, b.toFloatArray()[0], 1e-6, "1-D parameters are not decayed");
        assertTrue(opt.decays("w"));
        assertFalse(opt.decays("b"));
        assertEquals(2, opt.stepCount());
        opt.close();
        w.close();
        b.close();
    }

    @Test
    void adamWUsesTheFusedUpdateAndSkipsParametersWithoutGradients() {
        Tensor a = param(1f);
        Tensor c = param(2f);
        AdamW opt = AdamW.builder(Map.of("a", a, "c", c)).lr(0.1).build();
        setGrad(a, 1f);
        List<String> ops = new ArrayList<>();
        try (Dispatch.Restore ignored = Dispatch.observe((op, be, ns) -> ops.add(op))) {
            opt.step();
        }
        assertEquals(1, ops.stream().filter("fused.adamWUpdate"::equals).count(), ops.toString());
        assertEquals(2f, c.toFloatArray()[0], "no gradient, no update");
        assertEquals(2, opt.stateTensors().size(), "state only for the parameter that stepped");
        opt.close();
        a.close();
        c.close();
    }

    @Test
    void adamWStateRoundTripsForResume() {
        float[] g1 = {0.3f, -0.7f};
        float[] g2 = {-0.2f, 0.9f};
        Tensor x = matrix(1f, 2f);
        AdamW first = AdamW.builder(Map.of("x", x)).lr(0.05).build();
        setGrad(x, g1);
        first.step();
        Tensor y = t.of(x.toFloatArray(), 1, 2).requiresGrad(true);
        AdamW resumed = AdamW.builder(Map.of("x", y)).lr(0.05).build();
        resumed.loadState(first.stateTensors(), first.stepCount());
        setGrad(x, g2);
        setGrad(y, g2);
        first.step();
        resumed.step();
        assertArrayEquals(x.toFloatArray(), y.toFloatArray(), 0f);
        assertThrows(IllegalArgumentException.class, () -> resumed.loadState(Map.of("exp_avg.nope", x), 1));
        first.close();
        resumed.close();
        x.close();
        y.close();
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        Tensor p = param(1f, -1f);
        Sgd sgd = new Sgd(Map.of("p", p), 0.1, 0.9, 0.01);
        double[] want = {1, -1};
        double[] buf = new double[2];
        float[][] grads = {{0.5f, 0.5f}, {-1f, 2f}};
        for (int s = 0; s < 2; s++) {
            setGrad(p, grads[s]);
            sgd.step();
            for (int i = 0; i < 2; i++) {
                double d = grads[s][i] + 0.01 * want[i];
                buf[i] = s == 0 ? d : 0.9 * buf[i] + d;
                want[i] -= 0.1 * buf[i];
            }
        }
        assertArrayEquals(new float[] {(float) want[0], (float) want[1]}, p.toFloatArray(), 1e-6f);
        assertEquals(1, sgd.stateTensors().size());
        sgd.close();
        p.close();
    }

    @Test
    void gradClipScalesToTheGlobalNormAndSkipsTheScalingBelowTheLimit() {
        Tensor a = param(0, 0);
        Tensor b = param(0);
        setGrad(a, 3f, 0f);
        setGrad(b, 4f);
        List<String> clipping = new ArrayList<>();
        try (TensorScope ignored = TensorScope.open(); Dispatch.Restore observing = Dispatch.observe((op, be, ns) -> clipping.add(op))) {
            Tensor norm = GradClip.clipGlobalNorm(List.of(a, b), 1.0);
            assertEquals(5, norm.item(), 1e-6);
        }
        assertArrayEquals(new float[] {0.6f, 0}, a.grad().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.8f}, b.grad().toFloatArray(), 1e-6f);
        List<String> notClipping = new ArrayList<>();
        try (TensorScope ignored = TensorScope.open(); Dispatch.Restore observing = Dispatch.observe((op, be, ns) -> notClipping.add(op))) {
            GradClip.clipGlobalNorm(List.of(a, b), 10.0);
        }
        assertArrayEquals(new float[] {0.6f, 0}, a.grad().toFloatArray(), 1e-6f, "below the limit: unchanged (x min(1, ...))");
        assertEquals(count(clipping, "mul") - 2, count(notClipping, "mul"), "below the limit the two gradients are not multiplied: "
                + clipping + " / " + notClipping);
        a.close();
        b.close();
    }

    private static long count(List<String> ops, String op) {
        return ops.stream().filter(op::equals).count();
    }

    @Test
    void warmupCosineScheduleMatchesNanoGpt() {
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 1e-4, 10, 110);
        assertEquals(1e-3 * 1 / 11, s.at(0), 1e-12);
        assertEquals(1e-3 * 10 / 11, s.at(9), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(1e-4 + 0.5 * (1e-3 - 1e-4), s.at(60), 1e-12);
        assertEquals(1e-4, s.at(110), 1e-12);
        assertEquals(1e-4, s.at(5000), 1e-12);
        assertEquals(3e-4, LrSchedule.constant(3e-4).at(77));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1e-3, 1e-2, 1, 2));
    }
}
