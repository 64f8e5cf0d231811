package dev.llmforge.nn;

import dev.llmforge.nn.functional.F;
import dev.llmforge.tensor.Tensor;

/** RMS normalisation over the last axis (LLaMA) with a learned scale (ones). */
public final class RmsNorm extends Norm {
    private final Tensor weight;
    private final double eps;

    public RmsNorm(Init init, int dim, double eps) {
        this.weight = registerParameter("weight", init.ones(dim));
        this.eps = eps;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.rmsNorm(x, weight, eps);
    }
}
