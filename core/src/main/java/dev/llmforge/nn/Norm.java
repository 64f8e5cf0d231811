package dev.llmforge.nn;

import dev.llmforge.tensor.Tensor;

/** A normalisation layer over the last axis: {@link LayerNorm} or {@link RmsNorm}. */
public abstract class Norm extends Module {
    /** The normalisation kinds a model can choose. */
    public enum Kind { LAYER_NORM, RMS_NORM }

    public abstract Tensor forward(Tensor x);

    /** A LayerNorm (with or without bias) or an RmsNorm of width {@code dim}. */
    public static Norm create(Kind kind, Init init, int dim, double eps, boolean bias) {
        return kind == Kind.LAYER_NORM ? new LayerNorm(init, dim, eps, bias) : new RmsNorm(init, dim, eps);
    }
}
