package dev.llmforge.optim;

import dev.llmforge.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Updates named parameters from their gradients. The state (moments, momentum buffers) is exposed
 * as named tensors plus a step count, so a training run can be saved and resumed.
 */
public abstract class Optimizer implements AutoCloseable {
    protected final Map<String, Tensor> params;
    protected double lr;
    protected long step;

    protected Optimizer(Map<String, Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer needs at least one parameter");
        }
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            if (!e.getValue().requiresGrad() || !e.getValue().isLeaf()) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' must be a leaf with requiresGrad(true)");
            }
        }
        checkLr(lr);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.lr = lr;
    }

    /** Applies one update to every parameter that has a gradient; parameters without one are skipped. */
    public abstract void step();

    /** Drops every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor p : params.values()) {
            p.zeroGrad();
        }
    }

    public double learningRate() {
        return lr;
    }

    /** Sets the learning rate for the next steps (schedules call this before each step). */
    public void setLearningRate(double lr) {
        checkLr(lr);
        this.lr = lr;
    }

    /** Steps taken so far. */
    public long stepCount() {
        return step;
    }

    public Map<String, Tensor> parameters() {
        return params;
    }

    /**
     * The optimiser's state tensors by name (owned by the optimiser: read or save them, do not close
     * them). Empty before the first step for optimisers that create state lazily.
     */
    public abstract Map<String, Tensor> stateTensors();

    /**
     * Restores state saved from {@link #stateTensors()} and {@link #stepCount()}, copying the values
     * (the given tensors stay the caller's). Names and shapes must match this optimiser's parameters.
     */
    public abstract void loadState(Map<String, Tensor> state, long stepCount);

    /** Frees the state tensors (not the parameters). */
    @Override
    public abstract void close();

    private static void checkLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
    }

    /** A copy of {@code src} owned by nobody's scope, with {@code like}'s shape and dtype checked. */
    static Tensor copyOf(String name, Tensor src, Tensor like) {
        if (!src.shape().equals(like.shape()) || src.dtype() != like.dtype() || src.backend() != like.backend()) {
            throw new IllegalArgumentException("optimizer state '" + name + "': expected " + like.describe() + ", found " + src.describe());
        }
        return Tensor.on(like.backend(), like.device()).fromBuffer(src.toBuffer(), like.shape(), like.dtype()).detachFromScope();
    }
}
