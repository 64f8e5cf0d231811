package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;

/**
 * y = x W^T + b with W stored (out, in) like PyTorch. Inputs of rank > 2 are flattened to
 * (N, in) for one matrix product (a single, cheaper backward) and reshaped back.
 */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    /** Weight ~ Normal(0, std), bias zero (or none). */
    public Linear(Init init, int in, int out, boolean bias, double std) {
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", init.normal(std, out, in));
        this.bias = bias ? registerParameter("bias", init.zeros(out)) : null;
    }

    public Tensor forward(Tensor x) {
        if (x.dim(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): input's last dim must be " + in + ", got " + x.shape());
        }
        if (x.rank() == 2) {
            return project(x);
        }
        int[] dims = x.shape().dims();
        dims[dims.length - 1] = out;
        return project(x.reshape(-1, in)).reshape(dims);
    }

    private Tensor project(Tensor x) {
        Tensor y = x.matmul(weight, false, true); // (N, out)
        return bias == null ? y : y.add(bias);
    }

    /** (out, in) */
    public Tensor weight() {
        return weight;
    }

    /** (out), or null without bias. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
