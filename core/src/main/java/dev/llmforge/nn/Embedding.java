package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;

/** A lookup table: integer ids (...) to rows of weight (num, dim), giving (..., dim). */
public final class Embedding extends Module {
    private final Tensor weight;

    public Embedding(Init init, int num, int dim, double std) {
        this.weight = registerParameter("weight", init.normal(std, num, dim));
    }

    /** ids: I32 or I64, any shape; each must lie in [0, num). */
    public Tensor forward(Tensor ids) {
        return weight.gather(0, ids);
    }

    /** (num, dim) */
    public Tensor weight() {
        return weight;
    }

    public int size() {
        return weight.dim(0);
    }

    public int dim() {
        return weight.dim(1);
    }
}
