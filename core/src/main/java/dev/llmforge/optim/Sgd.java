package dev.llmforge.optim;

import dev.llmforge.autograd.GradMode;
import dev.llmforge.tensor.Tensor;
import dev.llmforge.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Stochastic gradient descent with optional momentum and (coupled, L2) weight decay, as PyTorch's
 * {@code torch.optim.SGD}: {@code g += wd·p; b = μ·b + g; p -= lr·b} (b = g on the first step).
 * State: {@code momentum_buffer.<param>} when momentum is used.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();

    public Sgd(Map<String, Tensor> params, double lr) {
        this(params, lr, 0, 0);
    }

    public Sgd(Map<String, Tensor> params, double lr, double momentum, double weightDecay) {
        super(params, lr);
        if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("SGD: need 0 <= momentum < 1 and weightDecay >= 0, got " + momentum + ", " + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step() {
        step++;
        try (GradMode.Restore ignored = GradMode.noGrad(); TensorScope ignoredScope = TensorScope.open()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                Tensor d = weightDecay == 0 ? g : g.add(p.mul(weightDecay));
                if (momentum != 0) {
                    Tensor old = buffers.get(e.getKey());
                    Tensor b = old == null ? d.mul(1.0) : old.mul(momentum).add(d);
                    if (old == null) {
                        buffers.put(e.getKey(), b.detachFromScope());
                    } else {
                        old.replaceWith(b);
                    }
                    d = buffers.get(e.getKey());
                }
                p.replaceWith(p.sub(d.mul(lr)));
            }
        }
    }

    @Override
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        buffers.forEach((k, t) -> out.put("momentum_buffer." + k, t));
        return out;
    }

    @Override
    public void loadState(Map<String, Tensor> state, long stepCount) {
        Set<String> unexpected = new TreeSet<>(state.keySet());
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor s = state.get("momentum_buffer." + e.getKey());
                if (s != null) {
                    loaded.put(e.getKey(), copyOf("momentum_buffer." + e.getKey(), s, e.getValue()));
                    unexpected.remove("momentum_buffer." + e.getKey());
                }
            }
            if (!unexpected.isEmpty()) {
                throw new IllegalArgumentException("SGD state has entries for no parameter: " + unexpected);
            }
        } catch (RuntimeException ex) {
            loaded.values().forEach(Tensor::close);
            throw ex;
        }
        close();
        buffers.putAll(loaded);
        step = stepCount;
    }

    @Override
    public void close() {
        buffers.values().forEach(Tensor::close);
        buffers.clear();
    }
}
