package dev.llmforge.nn;

import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;

/** Layer normalisation over the last axis with a learned scale (ones) and optional bias (zeros). */
public final class LayerNorm extends Norm {
    private final Tensor weight;
    private final Tensor bias;
    private final double eps;

    public LayerNorm(Init init, int dim, double eps, boolean bias) {
        this.weight = registerParameter("weight", init.ones(dim));
        this.bias = bias ? registerParameter("bias", init.zeros(dim)) : null;
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.layerNorm(x, weight, bias, eps);
    }
}
