package dev.llmforge.optim;

import dev.llmforge.autograd.FusedOps;
import dev.llmforge.autograd.GradMode;
import dev.llmforge.spi.FusedKernels;
import dev.llmforge.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Adam with decoupled weight decay (PyTorch's {@code torch.optim.AdamW}): {@code p -= lr·wd·p},
 * then the bias-corrected Adam update, through the backend's fused {@code adamWUpdate}. By default
 * weight decay applies only to parameters with two or more dimensions (matrices and embeddings,
 * not biases or norm scales); {@link Builder#decayWhen} chooses other groups by name or tensor.
 *
 * <p>State: {@code exp_avg.<param>} and {@code exp_avg_sq.<param>} (first and second moments),
 * created on the first step.
 */
public final class AdamW extends Optimizer {
    /** The default decay rule: tensors of rank >= 2. */
    public static final BiPredicate<String, Tensor> MATRICES = (name, t) -> t.rank() >= 2;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final BiPredicate<String, Tensor> decay;
    private final Map<String, Tensor> m = new LinkedHashMap<>();
    private final Map<String, Tensor> v = new LinkedHashMap<>();

    private AdamW(Builder b) {
        super(b.params, b.lr);
        if (!(b.beta1 >= 0 && b.beta1 < 1) || !(b.beta2 >= 0 && b.beta2 < 1) || !(b.eps > 0) || !(b.weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW: need 0 <= betas < 1, eps > 0, weightDecay >= 0; got betas (" + b.beta1 + ", "
                    + b.beta2 + "), eps " + b.eps + ", weightDecay " + b.weightDecay);
        }
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.decay = b.decay;
    }

    /** An AdamW for these named parameters (e.g. {@code model.namedParameters()}). */
    public static Builder builder(Map<String, Tensor> params) {
        return new Builder(params);
    }

    @Override
    public void step() {
        step++;
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                String name = e.getKey();
                Tensor mt = m.computeIfAbsent(name, k -> zerosLike(p));
                Tensor vt = v.computeIfAbsent(name, k -> zerosLike(p));
                double wd = decay.test(name, p) ? weightDecay : 0;
                FusedOps.adamWUpdate(p, g, mt, vt, new FusedKernels.AdamWStep(lr, beta1, beta2, eps, wd, step));
            }
        }
    }

    /** The decoupled weight decay of the parameters it applies to. */
    public double weightDecay() {
        return weightDecay;
    }

    /** True if weight decay applies to this parameter. */
    public boolean decays(String name) {
        return weightDecay > 0 && decay.test(name, params.get(name));
    }

    private static Tensor zerosLike(Tensor p) {
        return Tensor.on(p.backend(), p.device()).zeros(p.shape(), p.dtype()).detachFromScope();
    }

    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, t) -> out.put("exp_avg." + k, t));
        v.forEach((k, t) -> out.put("exp_avg_sq." + k, t));
        return out;
    }

    @Override
    public void loadState(Map<String, Tensor> state, long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + stepCount);
        }
        if (stepCount > 0 && state.isEmpty()) {
            throw new IllegalArgumentException("AdamW state at step " + stepCount + " holds no moments (exp_avg, exp_avg_sq): it would restart "
                    + "from zeros");
        }
        Set<String> unexpected = new TreeSet<>(state.keySet());
        Map<String, Tensor> newM = new LinkedHashMap<>();
        Map<String, Tensor> newV = new LinkedHashMap<>();
        try (GradMode.Restore ignored = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor sm = state.get("exp_avg." + e.getKey());
                Tensor sv = state.get("exp_avg_sq." + e.getKey());
                if ((sm == null) != (sv == null)) {
                    throw new IllegalArgumentException("AdamW state for '" + e.getKey() + "' needs both exp_avg and exp_avg_sq");
                }
                if (sm != null) {
                    newM.put(e.getKey(), copyOf("exp_avg." + e.getKey(), sm, e.getValue()));
                    newV.put(e.getKey(), copyOf("exp_avg_sq." + e.getKey(), sv, e.getValue()));
                    unexpected.remove("exp_avg." + e.getKey());
                    unexpected.remove("exp_avg_sq." + e.getKey());
                }
            }
        } catch (RuntimeException ex) {
            newM.values().forEach(Tensor::close);
            newV.values().forEach(Tensor::close);
            throw ex;
        }
        if (!unexpected.isEmpty()) {
            newM.values().forEach(Tensor::close);
            newV.values().forEach(Tensor::close);
            throw new IllegalArgumentException("AdamW state has entries for no parameter: " + unexpected);
        }
        close();
        m.putAll(newM);
        v.putAll(newV);
        step = stepCount;
    }

    @Override
    public void close() {
        m.values().forEach(Tensor::close);
        v.values().forEach(Tensor::close);
        m.clear();
        v.clear();
    }

    /** AdamW settings; defaults are PyTorch's (lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01). */
    public static final class Builder {
        private final Map<String, Tensor> params;
        private double lr = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 0.01;
        private BiPredicate<String, Tensor> decay = MATRICES;

        private Builder(Map<String, Tensor> params) {
            this.params = params;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder eps(double v) {
            eps = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /** Which parameters (by name and tensor) get weight decay; default {@link #MATRICES}. */
        public Builder decayWhen(BiPredicate<String, Tensor> rule) {
            decay = rule;
            return this;
        }

        public AdamW build() {
            return new AdamW(this);
        }
    }
}
